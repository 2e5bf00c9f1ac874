using Council.Server;
using Council.Server.Auth;
using Council.Server.Conversations;
using Council.Server.Hub;
using Council.Server.Leaderboard;
using Council.Server.Operations;
using Council.Server.LoadProbe;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Telemetry;
using Council.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);

builder.AddCouncilCore();
builder.AddCouncilLeaderboard();
builder.AddCouncilProviders();
builder.AddCouncilSearch();
builder.AddCouncilHub();
builder.AddCouncilAuth();
builder.AddCouncilTelemetry();
builder.AddCouncilLoadProbe(); // After every hub protocol: it wraps them (off unless Council:LoadProbe:Enabled).

var app = builder.Build();

app.EnsureSafeBinding();
app.UseCouncilAuth();
app.MapCouncilWebClient();
app.MapCouncilHub();
app.MapCouncilProviders();
app.MapCouncilConversations();
app.MapCouncilLeaderboard();
app.MapCouncilOperations();
app.MapCouncilLoadProbe();

app.Run();

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
