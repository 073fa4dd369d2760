namespace Spike.Cuda;

/// <summary>
/// A 1-D launch: <paramref name="Grid"/> blocks of <paramref name="Block"/> threads. <paramref name="BlockSync"/> marks
/// kernels that call __syncthreads (block-wide reductions): a GPU ignores it, a host execution must then run a block's
/// threads concurrently.
/// </summary>
public readonly record struct LaunchShape(int Grid, int Block, bool BlockSync = false);

/// <summary>
/// One cuBLAS strided-batched GEMM in cuBLAS's own (column-major) terms: for b in [0, Batch),
/// C_b = Alpha·op(A_b)·op(B_b) + Beta·C_b with op(A) M×K, op(B) K×N and C M×N; matrix X_b starts StrideX elements
/// after X_{b−1}, element (i, j) of a stored matrix is at i + j·ldX, and op(X) = Xᵀ when TransX. C is not read when
/// Beta = 0. DType is Float32 (Sgemm), Float64 (Dgemm) or Float16 (GemmStridedBatchedEx: FP16 A, B, C, FP32 compute).
/// </summary>
public readonly record struct GemmCall(DType DType, bool TransA, bool TransB, int M, int N, int K, double Alpha,
    ulong A, int Lda, long StrideA, ulong B, int Ldb, long StrideB, double Beta, ulong C, int Ldc, long StrideC, int Batch);

/// <summary>
/// The device operations <see cref="CudaBackend"/> needs, and nothing else: memory, copies, kernel launches and
/// cuBLAS GEMM, all ordered on one stream. <see cref="CudaRuntime"/> implements them with the CUDA driver and cuBLAS;
/// the test suite implements them on the host (host memory, the kernel sources built with g++, a literal column-major
/// GEMM), which is how the whole backend is proven on machines without a GPU.
/// Pointers are device addresses (plain host addresses in a host implementation).
/// </summary>
public interface IDeviceRuntime : IDisposable
{
    /// <summary>The device (name, compute capability, multiprocessors, memory).</summary>
    CudaDeviceInfo Info { get; }

    /// <summary>Threads per block the backend launches with (a power of two, at most 1024).</summary>
    int BlockSize { get; }

    /// <summary>Allocates <paramref name="bytes"/> (> 0); false when the device is out of memory, an exception for any other failure.</summary>
    bool TryAllocate(long bytes, out ulong pointer);

    void Free(ulong pointer);

    /// <summary>Host → device, complete when the call returns (the host memory may be reused at once).</summary>
    unsafe void CopyToDevice(ulong dst, void* src, long bytes);

    /// <summary>Device → host after all queued work; complete when the call returns.</summary>
    unsafe void CopyToHost(void* dst, ulong src, long bytes);

    /// <summary>Device → device, queued.</summary>
    void CopyOnDevice(ulong dst, ulong src, long bytes);

    /// <summary>Sets bytes to <paramref name="value"/>, queued.</summary>
    void Memset(ulong dst, byte value, long bytes);

    /// <summary>Queues kernel <paramref name="kernel"/> of <paramref name="variant"/> (compiled on first use).</summary>
    void Launch(KernelVariant variant, string kernel, LaunchShape shape, KernelArgs args);

    /// <summary>Queues a cuBLAS strided-batched GEMM.</summary>
    void Gemm(in GemmCall call);

    /// <summary>Waits for all queued work.</summary>
    void Synchronize();

    /// <summary>Free and total device memory in bytes.</summary>
    (long Free, long Total) MemoryInfo();
}
