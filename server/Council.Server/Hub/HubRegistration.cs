using Council.Contracts;
using Council.Contracts.Hub;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Council.Server.Hub;

/// <summary>Registers and maps the SignalR hub with deliberate limits.</summary>
public static class HubRegistration
{
    private const string HubDispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static IHostApplicationBuilder AddCouncilHub(this IHostApplicationBuilder builder)
    {
        var maxPromptChars = builder.Configuration.GetValue($"{CouncilOptions.Section}:{nameof(CouncilOptions.MaxPromptChars)}", new CouncilOptions().MaxPromptChars);
        // Room for the longest prompt even if every character is escaped, and nothing much beyond it.
        var maxMessageSize = Math.Max(64 * 1024, maxPromptChars * 6 + 16 * 1024);
        builder.Services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = maxMessageSize;
                o.KeepAliveInterval = TimeSpan.FromSeconds(15);
                o.ClientTimeoutInterval = TimeSpan.FromSeconds(60);
                o.HandshakeTimeout = TimeSpan.FromSeconds(15);
                // Stateful reconnect keeps unacknowledged messages for replay; the JS client acknowledges about once a
                // second, so the buffer bounds a connection's throughput: 4 MB lets many streaming models through.
                o.StatefulReconnectBufferSize = 4 * 1024 * 1024;
                // One invocation at a time per client is enough: no hub method waits for a run.
                o.MaximumParallelInvocationsPerClient = 1;
                o.EnableDetailedErrors = false;
                o.AddFilter<CouncilHubFilter>();
                o.AddFilter<LimitsHubFilter>();
            })
            .AddJsonProtocol(o =>
            {
                o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CouncilJsonContext.Default);
                o.PayloadSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            })
            // Microsoft's protocol with its default options, as a .NET client's plain AddMessagePackProtocol() has them:
            // the contract records carry their MessagePack keys, enum strings and decimal formatter themselves.
            .AddMessagePackProtocol();

        // SignalR logs every failed invocation as an error with its stack, refusals included; CouncilHubFilter logs
        // each failure once instead, at the level it deserves.
        builder.Logging.AddFilter(HubDispatcherCategory, LogLevel.None);

        builder.Services.RemoveAll<IHubProtocol>();
        builder.Services.AddSingleton<IHubProtocol>(sp => new ReadableBindingErrorsProtocol(
            new JsonHubProtocol(sp.GetRequiredService<IOptions<JsonHubProtocolOptions>>()),
            maxMessageSize, sp.GetRequiredService<ILogger<ReadableBindingErrorsProtocol>>()));
        builder.Services.AddSingleton<IHubProtocol>(sp => new ReadableBindingErrorsProtocol(
            new MessagePackHubProtocol(sp.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>()),
            maxMessageSize, sp.GetRequiredService<ILogger<ReadableBindingErrorsProtocol>>(),
            new MessagePackArgumentExplainer(sp.GetRequiredService<IOptions<JsonHubProtocolOptions>>().Value.PayloadSerializerOptions)));
        builder.Services.AddSingleton<RunSubscriptions>();
        builder.Services.AddSingleton<LimitsHubFilter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCouncilHub(this IEndpointRouteBuilder endpoints)
    {
        // Stateful reconnect covers short transport drops; resume_run covers everything longer.
        endpoints.MapHub<CouncilHub>(HubMethodNames.HubPath, o => o.AllowStatefulReconnects = true)
            .RequireCors(Auth.AuthRegistration.CorsPolicy);
        return endpoints;
    }
}
