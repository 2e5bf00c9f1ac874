using Council.Server;
using Council.Server.Auth;
using Council.Server.Cluster;
using Council.Server.ChatCompletions;
using Council.Server.Conversations;
using Council.Server.Hub;
using Council.Server.Leaderboard;
using Council.Server.Operations;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Telemetry;
using Council.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);

try
{
    builder.AddCouncilCore();
}
catch (StartupException ex)
{
    return ex.Report(); // a cluster setting that cannot work: its message names it
}
builder.AddCouncilLeaderboard();
builder.AddCouncilProviders();
builder.AddCouncilSearch();
builder.AddCouncilHub();
builder.AddCouncilChatCompletions();
builder.AddCouncilAuth();
builder.AddCouncilTelemetry();
builder.AddCouncilConnectionLimits();

var app = builder.Build();

if (!app.EnsureSafeBinding())
{
    return 1; // None mode asked to listen beyond loopback: said why, and does not start.
}
app.UseCouncilConnectionLimits();
app.UseCouncilAuth();
app.MapCouncilWebClient();
app.MapCouncilHub();
app.MapCouncilChatCompletions();
app.MapCouncilConversations();
app.MapCouncilLeaderboard();
app.MapCouncilOperations();

try
{
    app.Run();
}
catch (Exception ex) when (StartupException.Find(ex) is { } startup)
{
    return startup.Report(); // say, Redis unreachable at start
}
return Environment.ExitCode;

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
