namespace Spike.Cuda;

/// <summary>
/// CUDA cannot be used on this machine: no driver or library, no device, or initialisation failed.
/// The message says which library was missing and where it was looked for; the CPU backend keeps working.
/// </summary>
public sealed class CudaUnavailableException(string message) : InvalidOperationException(message);

/// <summary>A CUDA driver or cuBLAS call failed; the message names the call, the error code and its text.</summary>
public sealed class CudaException(string call, int code, string description, string? context = null)
    : Exception($"{call} failed with {description}" + (context is null ? "" : $" ({context})"))
{
    public string Call { get; } = call;
    public int Code { get; } = code;
}

/// <summary>NVRTC rejected a kernel source; <see cref="Log"/> holds NVRTC's program log and
/// <see cref="Options"/> the options it compiled with (both are in the message too).</summary>
public sealed class NvrtcException(string message, string log, IReadOnlyList<string> options) : Exception(message)
{
    public string Log { get; } = log;
    public IReadOnlyList<string> Options { get; } = options;
}

/// <summary>
/// A device allocation failed even after the allocator's cached blocks were released and the allocation retried.
/// The message gives the request, the memory the process holds and the device's free and total memory.
/// </summary>
public sealed class CudaOutOfMemoryException(string message) : OutOfMemoryException(message);
