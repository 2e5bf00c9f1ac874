namespace Council.Server.Operations;

/// <summary>Live operations: <c>GET /api/stats</c> and <c>GET /readyz</c> (<c>/healthz</c>, liveness, is the web client's).</summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapCouncilOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/stats", (LiveStats stats) =>
            Results.Json(stats.Snapshot(), OperationsJsonContext.Default.StatsSnapshot));

        endpoints.MapGet("/readyz", async (ReadinessCheck readiness, CancellationToken cancellationToken) =>
        {
            var report = await readiness.CheckAsync(cancellationToken);
            return Results.Json(report, OperationsJsonContext.Default.ReadinessReport,
                statusCode: report.Reason is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        return endpoints;
    }
}
