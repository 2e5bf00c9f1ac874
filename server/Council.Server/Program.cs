using Council.Server;
using Council.Server.Conversations;
using Council.Server.Hub;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.WebClient;

var builder = WebApplication.CreateBuilder(args);

builder.AddCouncilCore();
builder.AddCouncilProviders();
builder.AddCouncilSearch();
builder.AddCouncilHub();

var app = builder.Build();

app.MapCouncilWebClient();
app.MapCouncilHub();
app.MapCouncilProviders();
app.MapCouncilConversations();

app.Run();

/// <summary>The entry point, visible to tests that host the app.</summary>
public partial class Program;
