namespace Spike.Nn;

/// <summary>y = max(x, 0) (torch.nn.ReLU), for containers that need the activation as a module.</summary>
public sealed class ReLU : Module
{
    protected override Tensor OnForward(Tensor x) => x.Relu();
}
