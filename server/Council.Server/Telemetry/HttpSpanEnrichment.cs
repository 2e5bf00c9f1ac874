using Microsoft.AspNetCore.Http.Features;

namespace Council.Server.Telemetry;

/// <summary>
/// Names ASP.NET Core's request spans and gives them the HTTP semantic-convention attributes (method, path,
/// route, status), which the framework leaves to an instrumentation package that cannot be installed here.
/// Runs first in the pipeline (a startup filter, so <c>Program</c> needs no line); does nothing unless traces
/// are being collected.
/// </summary>
internal sealed class HttpSpanEnrichment : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(EnrichAsync);
        next(app);
    };

    private static async Task EnrichAsync(HttpContext context, RequestDelegate next)
    {
        var span = CouncilTelemetry.Source.HasListeners() ? context.Features.Get<IHttpActivityFeature>()?.Activity : null;
        if (span is null || !span.IsAllDataRequested)
        {
            await next(context);
            return;
        }
        var request = context.Request;
        span.SetTag("http.request.method", request.Method);
        span.SetTag("url.scheme", request.Scheme);
        span.SetTag("url.path", request.Path.Value);
        span.DisplayName = request.Method;
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null)
            {
                span.SetTag("http.route", route);
                span.DisplayName = $"{request.Method} {route}";
            }
            var status = context.Response.StatusCode;
            span.SetTag("http.response.status_code", status);
            if (status >= 500)
            {
                span.SetTag(TelemetryTags.ErrorType, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            }
        }
    }
}
