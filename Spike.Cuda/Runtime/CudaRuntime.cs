using System.Collections.Concurrent;
using Spike.Cuda.Native;

namespace Spike.Cuda;

/// <summary>
/// <see cref="IDeviceRuntime"/> on a real GPU: the device's primary context and one stream (<see cref="CudaContext"/>),
/// modules compiled by NVRTC through the kernel cache and loaded once per variant, and a cuBLAS handle on the same
/// stream (created on the first GEMM, so a machine without libcublas can still run every other op).
/// </summary>
public sealed unsafe class CudaRuntime : IDeviceRuntime
{
    readonly CudaContext _context;
    readonly ConcurrentDictionary<KernelVariant, Lazy<CudaModule>> _modules = new();
    readonly Lock _blasLock = new();
    nint _blas;

    /// <summary>Opens cuda:<paramref name="ordinal"/>; throws <see cref="CudaUnavailableException"/> when there is no usable GPU.</summary>
    public CudaRuntime(int ordinal = 0) { _context = new CudaContext(ordinal); }

    public CudaDeviceInfo Info => _context.Info;

    public int BlockSize => 256;

    public bool TryAllocate(long bytes, out ulong pointer)
    {
        _context.MakeCurrent();
        var rc = CuDriver.cuMemAlloc(out pointer, (nuint)bytes);
        if (rc == CuResult.OutOfMemory) return false;
        CuDriver.Check(rc, "cuMemAlloc", $"{bytes} bytes on cuda:{Info.Ordinal}");
        return true;
    }

    public void Free(ulong pointer)
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemFree(pointer), "cuMemFree");
    }

    public void CopyToDevice(ulong dst, void* src, long bytes)
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemcpyHtoDAsync(dst, (nint)src, (nuint)bytes, _context.Stream), "cuMemcpyHtoDAsync", $"{bytes} bytes");
        _context.Synchronize(); // the caller's host buffer is released when this returns
    }

    public void CopyToHost(void* dst, ulong src, long bytes)
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemcpyDtoHAsync((nint)dst, src, (nuint)bytes, _context.Stream), "cuMemcpyDtoHAsync", $"{bytes} bytes");
        _context.Synchronize();
    }

    public void CopyOnDevice(ulong dst, ulong src, long bytes)
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemcpyDtoDAsync(dst, src, (nuint)bytes, _context.Stream), "cuMemcpyDtoDAsync", $"{bytes} bytes");
    }

    public void Memset(ulong dst, byte value, long bytes)
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemsetD8Async(dst, value, (nuint)bytes, _context.Stream), "cuMemsetD8Async", $"{bytes} bytes");
    }

    public void Launch(KernelVariant variant, string kernel, LaunchShape shape, KernelArgs args) =>
        _modules.GetOrAdd(variant, v => new Lazy<CudaModule>(() => CudaModule.Load(_context, v))).Value
            .Launch(kernel, shape.Grid, shape.Block, args);

    public void Gemm(in GemmCall c)
    {
        var handle = Blas();
        var (ta, tb) = (c.TransA ? CublasOperation.T : CublasOperation.N, c.TransB ? CublasOperation.T : CublasOperation.N);
        string context = $"m {c.M} n {c.N} k {c.K} lda {c.Lda} ldb {c.Ldb} ldc {c.Ldc} batch {c.Batch}";
        _context.MakeCurrent();
        if (c.DType == DType.Float32)
        {
            float alpha = (float)c.Alpha, beta = (float)c.Beta;
            CublasApi.Check(CublasApi.cublasSgemmStridedBatched(handle, ta, tb, c.M, c.N, c.K, &alpha, c.A, c.Lda, c.StrideA,
                c.B, c.Ldb, c.StrideB, &beta, c.C, c.Ldc, c.StrideC, c.Batch), "cublasSgemmStridedBatched", context);
        }
        else if (c.DType == DType.Float64)
        {
            double alpha = c.Alpha, beta = c.Beta;
            CublasApi.Check(CublasApi.cublasDgemmStridedBatched(handle, ta, tb, c.M, c.N, c.K, &alpha, c.A, c.Lda, c.StrideA,
                c.B, c.Ldb, c.StrideB, &beta, c.C, c.Ldc, c.StrideC, c.Batch), "cublasDgemmStridedBatched", context);
        }
        else if (c.DType == DType.Float16)
        {
            // FP16 operands and result, FP32 accumulation (alpha and beta are then float).
            float alpha = (float)c.Alpha, beta = (float)c.Beta;
            CublasApi.Check(CublasApi.cublasGemmStridedBatchedEx(handle, ta, tb, c.M, c.N, c.K, &alpha, c.A, CudaDataType.R16F, c.Lda, c.StrideA,
                c.B, CudaDataType.R16F, c.Ldb, c.StrideB, &beta, c.C, CudaDataType.R16F, c.Ldc, c.StrideC, c.Batch,
                CublasComputeType.Compute32F, CublasApi.GemmDefaultAlgorithm), "cublasGemmStridedBatchedEx", context);
        }
        else throw new NotSupportedException($"cuBLAS GEMM: no routine for {c.DType}");
    }

    nint Blas()
    {
        lock (_blasLock)
        {
            if (_blas != 0) return _blas;
            NativeLibraries.Require(CudaLibrary.Cublas);
            _context.MakeCurrent();
            CublasApi.Check(CublasApi.cublasCreate(out var h), "cublasCreate");
            CublasApi.Check(CublasApi.cublasSetStream(h, _context.Stream), "cublasSetStream");
            return _blas = h;
        }
    }

    public void Synchronize() => _context.Synchronize();

    public (long Free, long Total) MemoryInfo() => _context.MemoryInfo();

    public void Dispose()
    {
        foreach (var m in _modules.Values) if (m.IsValueCreated) m.Value.Dispose();
        _modules.Clear();
        if (_blas != 0) { _context.MakeCurrent(); CublasApi.cublasDestroy(_blas); _blas = 0; }
        _context.Dispose();
    }
}
