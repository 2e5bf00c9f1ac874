using Council.Server.Auth;

namespace Council.Server.Leaderboard;

/// <summary>The leaderboard: <c>GET /api/leaderboard</c>, with the same auth and ownership as the conversations.</summary>
public static class LeaderboardRegistration
{
    public static IHostApplicationBuilder AddCouncilLeaderboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LeaderboardStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCouncilLeaderboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/leaderboard", async (HttpContext http, LeaderboardStore store, TimeProvider time, CancellationToken ct) =>
        {
            var (filter, error) = LeaderboardQuery.Parse(http.Request.Query, time.GetUtcNow());
            return filter is null
                ? Results.Problem(error, statusCode: StatusCodes.Status400BadRequest)
                : Results.Ok(await store.ComputeAsync(CouncilUser.Id(http.User), filter, ct));
        })
            .RequireAuthorization(AuthRegistration.UserPolicy)
            .RequireCors(AuthRegistration.CorsPolicy);
        return endpoints;
    }
}
