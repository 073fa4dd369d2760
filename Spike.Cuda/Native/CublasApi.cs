using System.Runtime.InteropServices;

namespace Spike.Cuda.Native;

/// <summary>cublasOperation_t.</summary>
internal enum CublasOperation { N = 0, T = 1, C = 2 }

/// <summary>cudaDataType values used with GemmEx.</summary>
internal enum CudaDataType { R32F = 0, R64F = 1, R16F = 2, R16BF = 14 }

/// <summary>cublasComputeType_t (CUDA 11+).</summary>
internal enum CublasComputeType { Compute16F = 64, Compute32F = 68, Compute32FFastTF32 = 77 }

/// <summary>
/// cuBLAS (libcublas), column-major like BLAS. A row-major C[m,n] = A[m,k]·B[k,n] is the column-major
/// Cᵀ = Bᵀ·Aᵀ, so callers swap the operands rather than transposing data. Pointers are device addresses;
/// alpha and beta are host pointers (the default pointer mode).
/// </summary>
internal static unsafe partial class CublasApi
{
    const string Lib = NativeLibraries.CublasName;

    static CublasApi() => NativeLibraries.EnsureResolver();

    internal const int Success = 0;
    internal const int GemmDefaultAlgorithm = -1;

    [LibraryImport(Lib, EntryPoint = "cublasCreate_v2")] internal static partial int cublasCreate(out nint handle);
    [LibraryImport(Lib, EntryPoint = "cublasDestroy_v2")] internal static partial int cublasDestroy(nint handle);
    [LibraryImport(Lib, EntryPoint = "cublasSetStream_v2")] internal static partial int cublasSetStream(nint handle, nint stream);
    [LibraryImport(Lib, EntryPoint = "cublasGetVersion_v2")] internal static partial int cublasGetVersion(nint handle, out int version);

    [LibraryImport(Lib, EntryPoint = "cublasSgemm_v2")]
    internal static partial int cublasSgemm(nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Lib)]
    internal static partial int cublasSgemmStridedBatched(nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        float* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float* beta, ulong c, int ldc, long strideC, int batchCount);

    [LibraryImport(Lib)]
    internal static partial int cublasDgemmStridedBatched(nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        double* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, double* beta, ulong c, int ldc, long strideC, int batchCount);

    /// <summary>Mixed precision: e.g. Float16 A, B, C with Compute32F (alpha, beta then float).</summary>
    [LibraryImport(Lib)]
    internal static partial int cublasGemmEx(nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        void* alpha, ulong a, CudaDataType aType, int lda, ulong b, CudaDataType bType, int ldb,
        void* beta, ulong c, CudaDataType cType, int ldc, CublasComputeType computeType, int algorithm);

    /// <summary>The strided-batched form of <see cref="cublasGemmEx"/> (Float16 matmul: FP16 in and out, FP32 compute).</summary>
    [LibraryImport(Lib)]
    internal static partial int cublasGemmStridedBatchedEx(nint handle, CublasOperation transA, CublasOperation transB, int m, int n, int k,
        void* alpha, ulong a, CudaDataType aType, int lda, long strideA, ulong b, CudaDataType bType, int ldb, long strideB,
        void* beta, ulong c, CudaDataType cType, int ldc, long strideC, int batchCount, CublasComputeType computeType, int algorithm);

    /// <summary>cublasStatus_t names (cublasGetStatusString only exists from CUDA 11.4).</summary>
    internal static string StatusName(int status) => status switch
    {
        0 => "CUBLAS_STATUS_SUCCESS",
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"cublasStatus {status}",
    };

    internal static void Check(int status, string call, string? context = null)
    {
        if (status != Success) throw new CudaException(call, status, StatusName(status), context);
    }
}
