using System.Numerics;
using System.Runtime.InteropServices;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// <see cref="IDeviceRuntime"/> on the host: "device memory" is native host memory (filled with 0xFF bytes, NaN in
/// every real type, so a kernel that skips an element is caught), kernels are the kernels/*.cu sources built by g++
/// (<see cref="HostKernels"/>) and launched through the same argument array, and GEMM is
/// <see cref="ColumnMajorGemm"/>, a literal transcription of cuBLAS's column-major definition. Running
/// <see cref="CudaBackend"/> on it executes everything the backend does on a GPU except the driver calls.
/// </summary>
internal sealed unsafe class HostRuntime(long capacityBytes = 1L << 32) : IDeviceRuntime
{
    readonly Dictionary<ulong, long> _blocks = [];
    readonly Lock _lock = new();
    long _used;

    public CudaDeviceInfo Info { get; } = new(0, "host execution of the kernel sources (g++)", 8, 6, capacityBytes, Multiprocessors: 2);

    /// <summary>Small blocks: a host launch with __syncthreads runs one OS thread per block thread.</summary>
    public int BlockSize => 32;

    public int Launches { get; private set; }

    /// <summary>Every kernel launched, in order (tests check which variant the backend chose; they may clear it).</summary>
    public List<string> LaunchedKernels { get; } = [];
    public int GemmCalls { get; private set; }
    public int LiveBlocks { get { lock (_lock) return _blocks.Count; } }

    public bool TryAllocate(long bytes, out ulong pointer)
    {
        lock (_lock)
        {
            pointer = 0;
            if (_used + bytes > capacityBytes) return false;
            var p = NativeMemory.AlignedAlloc((nuint)bytes, 256);
            NativeMemory.Fill(p, (nuint)bytes, 0xFF);
            pointer = (ulong)p;
            _blocks[pointer] = bytes;
            _used += bytes;
            return true;
        }
    }

    public void Free(ulong pointer)
    {
        lock (_lock)
        {
            if (!_blocks.Remove(pointer, out long bytes)) throw new InvalidOperationException($"host runtime: free of unknown block 0x{pointer:x}");
            _used -= bytes;
            NativeMemory.AlignedFree((void*)pointer);
        }
    }

    public void CopyToDevice(ulong dst, void* src, long bytes) => Buffer.MemoryCopy(src, (void*)dst, bytes, bytes);
    public void CopyToHost(void* dst, ulong src, long bytes) => Buffer.MemoryCopy((void*)src, dst, bytes, bytes);
    public void CopyOnDevice(ulong dst, ulong src, long bytes) => Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);
    public void Memset(ulong dst, byte value, long bytes) => NativeMemory.Fill((void*)dst, (nuint)bytes, value);

    public void Launch(KernelVariant variant, string kernel, LaunchShape shape, KernelArgs args)
    {
        Launches++;
        lock (_lock) LaunchedKernels.Add(kernel);
        HostKernels.For(variant).Launch(variant, kernel, shape.Grid, shape.Block, args, cooperative: shape.BlockSync);
    }

    public void Gemm(in GemmCall call)
    {
        GemmCalls++;
        ColumnMajorGemm.Run(call);
    }

    public void Synchronize() { }

    public (long Free, long Total) MemoryInfo()
    {
        lock (_lock) return (capacityBytes - _used, capacityBytes);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var p in _blocks.Keys) NativeMemory.AlignedFree((void*)p);
            _blocks.Clear();
            _used = 0;
        }
    }
}

/// <summary>
/// cuBLAS's strided-batched GEMM written out in its own terms, with its parameter checks: column-major storage
/// (element (i, j) of a stored matrix at i + j·ld), op(X) = Xᵀ when transposed, C = α·op(A)·op(B) + β·C, C not read when
/// β = 0. The backend's row-major → column-major mapping is only right if the results agree with the CPU backend.
/// </summary>
internal static unsafe class ColumnMajorGemm
{
    public static void Run(in GemmCall c)
    {
        if (c.M < 0 || c.N < 0 || c.K < 0 || c.Batch < 0) throw Invalid(c, "negative size");
        if (c.Lda < Math.Max(1, c.TransA ? c.K : c.M)) throw Invalid(c, "lda < rows of the stored A");
        if (c.Ldb < Math.Max(1, c.TransB ? c.N : c.K)) throw Invalid(c, "ldb < rows of the stored B");
        if (c.Ldc < Math.Max(1, c.M)) throw Invalid(c, "ldc < m");
        if (c.DType == DType.Float32) Run<float, double>(c);
        else if (c.DType == DType.Float64) Run<double, double>(c);
        else if (c.DType == DType.Float16) Run<Half, float>(c);  // GemmEx: FP16 operands and result, CUBLAS_COMPUTE_32F
        else throw Invalid(c, "no routine for this dtype");
    }

    /// <summary>The products summed in <typeparamref name="TAcc"/> (double for the reference Sgemm/Dgemm, float for
    /// GemmEx's 32F compute), α·acc + β·C in it, rounded to <typeparamref name="T"/> once.</summary>
    static void Run<T, TAcc>(GemmCall c) where T : unmanaged, IFloatingPointIeee754<T> where TAcc : IFloatingPointIeee754<TAcc>
    {
        TAcc alpha = TAcc.CreateTruncating(c.Alpha), beta = TAcc.CreateTruncating(c.Beta);
        for (int b = 0; b < c.Batch; b++)
        {
            T* a = (T*)c.A + b * c.StrideA, bm = (T*)c.B + b * c.StrideB, cm = (T*)c.C + b * c.StrideC;
            for (int j = 0; j < c.N; j++)
                for (int i = 0; i < c.M; i++)
                {
                    TAcc acc = TAcc.Zero;
                    for (int l = 0; l < c.K; l++)
                    {
                        T opA = c.TransA ? a[l + (long)i * c.Lda] : a[i + (long)l * c.Lda];
                        T opB = c.TransB ? bm[j + (long)l * c.Ldb] : bm[l + (long)j * c.Ldb];
                        acc += TAcc.CreateTruncating(opA) * TAcc.CreateTruncating(opB);
                    }
                    T* dst = cm + i + (long)j * c.Ldc;
                    TAcc old = c.Beta == 0 ? TAcc.Zero : beta * TAcc.CreateTruncating(*dst);
                    *dst = T.CreateTruncating(alpha * acc + old);
                }
        }
    }

    static ArgumentException Invalid(in GemmCall c, string why) => new($"CUBLAS_STATUS_INVALID_VALUE ({why}): {c}");
}
