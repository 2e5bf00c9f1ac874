namespace Council.Contracts.Hub;

/// <summary>The exact method names of wire contract v1, in both directions.</summary>
public static class HubMethodNames
{
    /// <summary>The hub's path on the server.</summary>
    public const string HubPath = "/hubs/council";

    // Client to server.
    public const string StartRun = "start_run";
    public const string CancelModel = "cancel_model";
    public const string CancelRun = "cancel_run";
    public const string ResumeRun = "resume_run";
    public const string ListModels = "list_models";
    public const string ListWorkflows = "list_workflows";

    // Server to client.
    public const string StageProgress = "stage_progress";
    public const string ModelStart = "model_start";
    public const string Token = "token";
    public const string ModelComplete = "model_complete";
    public const string SearchResults = "search_results";
    public const string RunComplete = "run_complete";
}
