using Council.Server.Conversations;
using Council.Server.Grains;
using Council.Server.Storage;
using Council.Server.Workflows;

namespace Council.Server;

/// <summary>Registers the engine: options, workflows, run grains, conversations.</summary>
public static class CoreRegistration
{
    public static IHostApplicationBuilder AddCouncilCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CouncilOptions>()
            .BindConfiguration(CouncilOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<WorkflowOptions>, WorkflowOptionsValidator>();
        builder.Services.AddSingleton<WorkflowCatalog>();
        builder.Services.AddSingleton<RunPlanner>();
        builder.Services.AddSingleton<ConversationStore>();
        builder.Services.AddSingleton<ConversationExporter>();
        builder.Services.AddSingleton<BestAnswerStore>();
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CouncilDatabase>();
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunStore>());
        // After storage: hosted services stop in reverse order, so the silo deactivates its runs while storage still writes.
        builder.AddCouncilGrains();
        return builder;
    }
}
