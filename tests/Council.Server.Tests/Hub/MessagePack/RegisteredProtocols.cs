using System.Text.Json;
using Council.Server.Hub;
using Council.Server.Hub.MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>The hub protocols exactly as <see cref="HubRegistration.AddCouncilHub"/> registers them.</summary>
internal static class RegisteredProtocols
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddCouncilHub();
        return builder.Services.BuildServiceProvider();
    });

    /// <summary>The MessagePack protocol as clients meet it (wrapped so binding errors read well).</summary>
    public static IHubProtocol MessagePack => Services.Value.GetServices<IHubProtocol>().Single(p => p.Name == "messagepack");

    public static IHubProtocol Json => Services.Value.GetServices<IHubProtocol>().Single(p => p.Name == "json");

    /// <summary>The JSON protocol's payload options, which the MessagePack protocol binds with.</summary>
    public static JsonSerializerOptions PayloadOptions => Services.Value.GetRequiredService<IOptions<JsonHubProtocolOptions>>().Value.PayloadSerializerOptions;

    /// <summary>A bare protocol with the registered payload options and the given limits.</summary>
    public static MessagePackHubProtocol Bare(int maximumMessageSize = 64 * 1024, int maximumDepth = 64) =>
        new(PayloadOptions, new MessagePackHubProtocolOptions { MaximumMessageSize = maximumMessageSize, MaximumDepth = maximumDepth });
}
