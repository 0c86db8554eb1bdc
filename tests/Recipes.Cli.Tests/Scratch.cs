namespace Recipes.Cli.Tests;

/// <summary>A temporary directory for the marker files child commands write; deleted on dispose.</summary>
public sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("recipes-cli-test-").FullName;
    }

    public string Directory { get; }

    public string File(string name) => Path.Combine(Directory, name);

    public static string[] ReadLines(string path) => System.IO.File.Exists(path) ? System.IO.File.ReadAllLines(path) : [];

    /// <summary>Waits until <paramref name="path"/> has a line equal to <paramref name="line"/>.</summary>
    public static async Task WaitForLineAsync(string path, string line, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? CliProcess.Patience);
        while (!ReadLines(path).Contains(line))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{line}' never appeared in {path}: [{string.Join(", ", ReadLines(path))}]");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A child command (sh) that appends "started" to <paramref name="file"/>, runs until SIGTERM or SIGINT, then
    /// appends "stopped" and exits 0.
    /// </summary>
    public static string[] LongRunningChild(string file) =>
        ["sh", "-c", "trap 'echo stopped >> \"$1\"; exit 0' TERM INT; echo started >> \"$1\"; while :; do sleep 0.1; done", "sh", file];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
