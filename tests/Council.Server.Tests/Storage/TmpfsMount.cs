using System.Diagnostics;

namespace Council.Server.Tests.Storage;

/// <summary>A small tmpfs mounted at a temporary folder (root only): a disk that can be filled on purpose; and read-only files.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts one, or returns null with the reason when this machine does not let the tests mount.</summary>
    public static TmpfsMount? TryMount(int sizeKb, out string? whyNot)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "council-tests", "tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeKb}k", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            whyNot = $"cannot mount a tmpfs here (mount exited {code}: {output.Trim()}); the test needs root and mount permission";
            return null;
        }
        whyNot = null;
        return new TmpfsMount(path);
    }

    /// <summary>Writes a file until the disk is full; returns its path (delete it to free the space).</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // No space left on the device: what was wanted.
        }
        return filler;
    }

    /// <summary>
    /// Makes one file read-only (a read-only bind mount over it, the folder staying writable) until the returned
    /// handle is disposed; null with the reason when mounting is not permitted.
    /// </summary>
    public static IDisposable? TryMakeReadOnly(string file, out string? whyNot)
    {
        var (code, output) = Run("mount", "--bind", file, file);
        if (code == 0)
        {
            (code, output) = Run("mount", "-o", "remount,bind,ro", file);
            if (code != 0)
            {
                Run("umount", file);
            }
        }
        if (code != 0)
        {
            whyNot = $"cannot bind-mount a file read-only here (mount exited {code}: {output.Trim()}); the test needs root and mount permission";
            return null;
        }
        whyNot = null;
        return new Unmount(file);
    }

    private sealed class Unmount(string path) : IDisposable
    {
        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Run("umount", "-l", path);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
