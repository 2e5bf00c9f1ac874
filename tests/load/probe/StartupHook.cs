using System.Runtime.Loader;

/// <summary>
/// Entry point for <c>DOTNET_STARTUP_HOOKS=/path/to/Council.LoadProbe.dll</c>, which the runtime calls before the
/// server's Main: it names this assembly as a hosting startup (<c>ASPNETCORE_HOSTINGSTARTUPASSEMBLIES</c>), so the
/// server's host runs <see cref="Council.LoadProbe.LoadProbeStartup"/>, and lets the host find it by name (it was
/// loaded by path). Must be a type named <c>StartupHook</c> outside any namespace.
/// </summary>
#pragma warning disable CA1050 // the runtime looks the hook up by this exact name, in no namespace
internal static class StartupHook
#pragma warning restore CA1050
{
    private const string HostingStartups = "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES";

    public static void Initialize()
    {
        var self = typeof(StartupHook).Assembly;
        var name = self.GetName().Name!;
        AssemblyLoadContext.Default.Resolving += (_, requested) => requested.Name == name ? self : null;
        var existing = Environment.GetEnvironmentVariable(HostingStartups);
        Environment.SetEnvironmentVariable(HostingStartups, string.IsNullOrEmpty(existing) ? name : $"{existing};{name}");
    }
}
