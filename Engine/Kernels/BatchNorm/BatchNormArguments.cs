namespace RocketNet.Kernels;

/// <summary>Size and span-length checks shared by <see cref="BatchNormKernels"/> and its reference.</summary>
internal static class BatchNormArguments
{
    public static void CheckTraining(string kernel, int x, int gamma, int beta, int y, int saveMean, int saveInvStd,
        int runningMean, int runningVar, int n, int c, int s)
    {
        long length = CheckSizes(kernel, n, c, s);
        if ((long)n * s < 2)
            throw new ArgumentException(
                $"{kernel}: training needs more than one value per channel, got N={n}, S={s}.");
        KernelArguments.RequireLength(x, length, kernel, "x [N, C, S]");
        KernelArguments.RequireLength(y, length, kernel, "y [N, C, S]");
        KernelArguments.RequireEmptyOrLength(gamma, c, kernel, "gamma [C]");
        KernelArguments.RequireEmptyOrLength(beta, c, kernel, "beta [C]");
        KernelArguments.RequireLength(saveMean, c, kernel, "saveMean [C]");
        KernelArguments.RequireLength(saveInvStd, c, kernel, "saveInvStd [C]");
        if ((runningMean == 0) != (runningVar == 0))
            throw new ArgumentException($"{kernel}: pass both runningMean and runningVar, or neither.");
        KernelArguments.RequireEmptyOrLength(runningMean, c, kernel, "runningMean [C]");
        KernelArguments.RequireEmptyOrLength(runningVar, c, kernel, "runningVar [C]");
    }

    public static void CheckInference(string kernel, int x, int gamma, int beta, int runningMean, int runningVar,
        int y, int n, int c, int s)
    {
        long length = CheckSizes(kernel, n, c, s);
        KernelArguments.RequireLength(x, length, kernel, "x [N, C, S]");
        KernelArguments.RequireLength(y, length, kernel, "y [N, C, S]");
        KernelArguments.RequireEmptyOrLength(gamma, c, kernel, "gamma [C]");
        KernelArguments.RequireEmptyOrLength(beta, c, kernel, "beta [C]");
        KernelArguments.RequireLength(runningMean, c, kernel, "runningMean [C]");
        KernelArguments.RequireLength(runningVar, c, kernel, "runningVar [C]");
    }

    public static void CheckBackward(string kernel, int x, int gradY, int gamma, int saveMean, int saveInvStd,
        int gradX, int gradGamma, int gradBeta, int n, int c, int s)
    {
        long length = CheckSizes(kernel, n, c, s);
        KernelArguments.RequireLength(x, length, kernel, "x [N, C, S]");
        KernelArguments.RequireLength(gradY, length, kernel, "gradY [N, C, S]");
        KernelArguments.RequireLength(gradX, length, kernel, "gradX [N, C, S]");
        KernelArguments.RequireEmptyOrLength(gamma, c, kernel, "gamma [C]");
        KernelArguments.RequireLength(saveMean, c, kernel, "saveMean [C]");
        KernelArguments.RequireLength(saveInvStd, c, kernel, "saveInvStd [C]");
        KernelArguments.RequireEmptyOrLength(gradGamma, c, kernel, "gradGamma [C]");
        KernelArguments.RequireEmptyOrLength(gradBeta, c, kernel, "gradBeta [C]");
    }

    private static long CheckSizes(string kernel, int n, int c, int s)
    {
        if (n < 1 || c < 1 || s < 1)
            throw new ArgumentException($"{kernel}: sizes must be positive, got N={n}, C={c}, S={s}.");
        long length = (long)n * c * s;
        if (length > int.MaxValue)
            throw new ArgumentException($"{kernel}: [N={n}, C={c}, S={s}] exceeds {int.MaxValue} elements.");
        return length;
    }
}
