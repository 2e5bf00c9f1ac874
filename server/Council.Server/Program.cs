using Council.Server;
using Council.Server.Auth;
using Council.Server.ChatCompletions;
using Council.Server.Conversations;
using Council.Server.Hub;
using Council.Server.Operations;
using Council.Server.LoadProbe;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Telemetry;
using Council.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);

builder.AddCouncilCore();
builder.AddCouncilProviders();
builder.AddCouncilSearch();
builder.AddCouncilHub();
builder.AddCouncilChatCompletions();
builder.AddCouncilAuth();
builder.AddCouncilTelemetry();
builder.AddCouncilLoadProbe(); // After every hub protocol: it wraps them (off unless Council:LoadProbe:Enabled).

var app = builder.Build();

app.EnsureSafeBinding();
app.UseCouncilAuth();
app.MapCouncilWebClient();
app.MapCouncilHub();
app.MapCouncilChatCompletions();
app.MapCouncilConversations();
app.MapCouncilOperations();
app.MapCouncilLoadProbe();

app.Run();

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
