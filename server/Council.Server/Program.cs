using Council.Server;
using Council.Server.Conversations;
using Council.Server.Hub;
using Council.Server.LoadProbe;
using Council.Server.Providers;
using Council.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);

builder.AddCouncilCore();
builder.AddCouncilProviders();
builder.AddCouncilHub();
builder.AddCouncilLoadProbe(); // After every hub protocol: it wraps them (off unless Council:LoadProbe:Enabled).

var app = builder.Build();

app.MapCouncilWebClient();
app.MapCouncilHub();
app.MapCouncilProviders();
app.MapCouncilConversations();
app.MapCouncilLoadProbe();

app.Run();

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
