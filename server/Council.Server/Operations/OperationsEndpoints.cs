using Council.Server.Auth;

namespace Council.Server.Operations;

/// <summary>
/// Live operations: <c>GET /api/stats</c> (server-wide figures, so admins only; in the default None mode the
/// local user is one) and <c>GET /readyz</c> (open, for probes, like <c>/healthz</c>, which is the web client's).
/// </summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapCouncilOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/stats", (LiveStats stats) =>
                Results.Json(stats.Snapshot(), OperationsJsonContext.Default.StatsSnapshot))
            .RequireAuthorization(AuthRegistration.AdminPolicy)
            .RequireCors(AuthRegistration.CorsPolicy);

        endpoints.MapGet("/readyz", async (ReadinessCheck readiness, CancellationToken cancellationToken) =>
        {
            var report = await readiness.CheckAsync(cancellationToken);
            return Results.Json(report, OperationsJsonContext.Default.ReadinessReport,
                statusCode: report.Reason is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();

        return endpoints;
    }
}
