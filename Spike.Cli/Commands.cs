namespace Spike.Cli;

/// <summary>The `spike` command line.</summary>
public static class Commands
{
    public static int Run(string[] args)
    {
        Console.WriteLine("spike: commands arrive with the training issue; run `dotnet test` for the test suite.");
        return 0;
    }
}
