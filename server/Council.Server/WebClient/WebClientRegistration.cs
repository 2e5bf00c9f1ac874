using Microsoft.Extensions.FileProviders;

namespace Council.Server.WebClient;

/// <summary>Serves the SPA's production build (<c>client/dist</c>) and the health endpoints.</summary>
public static class WebClientRegistration
{
    public static WebApplication MapCouncilWebClient(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        MapUnknownApiPaths(app);

        var root = FindWebRoot(app);
        if (root is null)
        {
            app.MapGet("/", () => Results.Content(
                "<!doctype html><title>Council</title><h1>Council is running</h1>" +
                "<p>The web client is not built: run <code>npm run build</code> (or <code>npm start</code>) in the repository.</p>" +
                "<p>The hub is at <code>/hubs/council</code>.</p>", "text/html"));
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = files });
        return app;
    }

    /// <summary>
    /// Unknown paths under the API prefixes answer 404 with a JSON body (under <c>/v1</c> the chat-completions
    /// endpoints answer with OpenAI's error shape), never the SPA's <c>index.html</c>: a client that got a path wrong hears so. A literal first segment makes
    /// these more specific than the SPA's catch-all fallback.
    /// </summary>
    private static void MapUnknownApiPaths(WebApplication app)
    {
        foreach (var prefix in new[] { "/api", "/hubs" })
        {
            app.MapFallback(prefix + "/{**path}", (HttpContext http) => Results.Problem(
                $"Nothing is at {http.Request.Path}.", statusCode: StatusCodes.Status404NotFound, title: "Not Found"));
        }
    }

    /// <summary><c>Council:WebRoot</c>, else the nearest <c>client/dist</c> above the app (a checkout).</summary>
    private static string? FindWebRoot(WebApplication app)
    {
        var configured = app.Configuration["Council:WebRoot"];
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }
        foreach (var start in new[] { app.Environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "client", "dist");
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
