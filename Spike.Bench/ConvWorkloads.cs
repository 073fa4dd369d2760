namespace Spike.Bench;

public static class ConvWorkloads
{
    public static IEnumerable<Workload> All() => [];
}
