using Council.LoadProbe;
using Council.Server.Grains;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

[assembly: HostingStartup(typeof(LoadProbeStartup))]

namespace Council.LoadProbe;

/// <summary>
/// Adds the probe to the server it is loaded into: token stamps on every hub protocol, connection and allocation
/// figures, and <c>GET /api/load-probe</c>. Runs before the server's own registrations (hosting startups do), so its
/// protocol resolver takes the place of SignalR's default, which is added only when none is.
/// </summary>
public sealed class LoadProbeStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services =>
    {
        services.AddSingleton<TokenStamps>();
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<TokenStamps>());
        services.AddSingleton<ConnectionGauge>();
        services.AddSingleton<AllocationSampler>();
        services.AddSingleton<IHubProtocolResolver>(sp => new StampingProtocolResolver(
            sp.GetServices<IHubProtocol>().Select(p => new StampingHubProtocol(p, sp.GetRequiredService<TokenStamps>(), sp.GetRequiredService<TimeProvider>()))));
        services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, LoadProbeEndpoint>();
    });
}
