using Council.Server.Leaderboard;
using Council.Server.Storage;
using Council.Server.Workflows;

namespace Council.Server.Conversations;

/// <summary>
/// The user's "Best answer" pick of a finished run: one per run, changeable, stored with the run (the leaderboard's
/// second Elo reads it). Only a model that answered (an ok output of the run's answers stage) can be picked.
/// </summary>
public sealed class BestAnswerStore(CouncilDatabase database, RunStore runs, WorkflowCatalog workflows)
{
    /// <summary>Picks <paramref name="model"/>, or clears the pick when it is null.</summary>
    public async Task<BestAnswerResult> SetAsync(string runId, string owner, string? model, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using var connection = database.Connect();
        string status, workflow;
        using (var select = RunStore.Command(connection, null, "SELECT status, workflow FROM runs WHERE id = $id AND owner = $owner"))
        {
            select.Set("$id", runId);
            select.Set("$owner", owner);
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return BestAnswerResult.NotFound;
            }
            (status, workflow) = (reader.GetString(0), reader.GetString(1));
        }
        if (status == "running")
        {
            return BestAnswerResult.NotFinished;
        }
        if (model is not null)
        {
            if (AnswerStage.Of(workflows.Find(workflow)) is not { } stage)
            {
                return BestAnswerResult.NotAnAnswer;
            }
            using var answered = RunStore.Command(connection, null, "SELECT 1 FROM model_outputs WHERE run_id = $id AND stage = $stage AND model = $model AND status = 'ok'");
            answered.Set("$id", runId);
            answered.Set("$stage", stage);
            answered.Set("$model", model);
            if (answered.ExecuteScalar() is null)
            {
                return BestAnswerResult.NotAnAnswer;
            }
        }
        using var update = RunStore.Command(connection, null, "UPDATE runs SET best_answer = $model WHERE id = $id");
        update.Set("$id", runId);
        update.Set("$model", (object?)model ?? DBNull.Value);
        update.ExecuteNonQuery();
        return BestAnswerResult.Saved;
    }
}

/// <summary>What <see cref="BestAnswerStore.SetAsync"/> did.</summary>
public enum BestAnswerResult
{
    Saved,
    NotFound,
    NotFinished,
    NotAnAnswer,
}
