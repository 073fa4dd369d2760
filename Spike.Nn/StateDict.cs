namespace Spike.Nn;

/// <summary>Model weights as a flat name → tensor map (parameters then buffers, dotted names as PyTorch's state_dict),
/// saved and loaded as safetensors so they move to and from Python tools.</summary>
public static class StateDictExtensions
{
    extension(Module module)
    {
        public IEnumerable<KeyValuePair<string, Tensor>> StateDict() =>
            module.NamedParameters().Concat(module.NamedBuffers()).Select(x => KeyValuePair.Create(x.Name, x.Tensor));

        /// <summary>Copies values into the module's existing tensors; every name must match in both directions and
        /// shapes must agree (strict, as load_state_dict's default).</summary>
        public void LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> state)
        {
            var own = module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
            var given = state.ToDictionary(kv => kv.Key, kv => kv.Value);
            var missing = own.Keys.Except(given.Keys).ToArray();
            var unexpected = given.Keys.Except(own.Keys).ToArray();
            if (missing.Length > 0 || unexpected.Length > 0)
                throw new ArgumentException($"load_state_dict: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}]");
            foreach (var (name, target) in own)
            {
                var src = given[name];
                if (!src.Shape.SequenceEqual(target.Shape))
                    throw new ArgumentException($"load_state_dict: '{name}' has shape {Layout.Fmt(src.Layout.Shape)} in the file but {Layout.Fmt(target.Layout.Shape)} in the model");
                Raw.CopyInto(Raw.ToDevice(src, target.Device), target);
            }
        }

        public void SaveSafetensors(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
            SafeTensors.Save(path, module.StateDict(), metadata);

        public void LoadSafetensors(string path) => module.LoadStateDict(SafeTensors.Load(path).Tensors);
    }
}
