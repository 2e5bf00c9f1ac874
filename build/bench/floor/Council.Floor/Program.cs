using Council.Contracts;
using Council.Contracts.Hub;
using Council.Floor;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// The floor server: what bare ASP.NET Core SignalR costs for the load driver's scenario (tests/load). start_run plays
// a council of simulated models (answers, reviews, synthesis) straight to the caller; nothing is stored, logged,
// kept or measured beyond what the driver reads. See build/bench/README.md.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR(o =>
    {
        o.KeepAliveInterval = TimeSpan.FromSeconds(15);
        o.ClientTimeoutInterval = TimeSpan.FromSeconds(60);
        o.EnableDetailedErrors = false;
    })
    .AddJsonProtocol(o =>
    {
        o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, FloorJsonContext.Default);
        o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(1, CouncilJsonContext.Default);
        o.PayloadSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
    });
builder.Services.RemoveAll<IHubProtocol>();
builder.Services.AddSingleton<IHubProtocol>(sp => new StampingJsonProtocol(new JsonHubProtocol(sp.GetRequiredService<IOptions<JsonHubProtocolOptions>>())));
builder.Services.AddSingleton<FloorCounters>();

var app = builder.Build();
app.MapHub<FloorHub>(HubMethodNames.HubPath);
app.MapGet("/api/load-probe", FloorProbe.Get);
app.Run();
