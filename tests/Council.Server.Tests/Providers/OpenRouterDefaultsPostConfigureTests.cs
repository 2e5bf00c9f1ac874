namespace Council.Server.Tests.Providers;

/// <summary>With an OpenRouter key the default council is made of real models; without one it stays simulated.</summary>
[CancelAfter(30_000)]
public sealed class OpenRouterDefaultsPostConfigureTests
{
    private static readonly Dictionary<string, string?> SimulatedCouncil = new()
    {
        ["Council:DefaultModels:0"] = "sim/alpha",
        ["Council:DefaultModels:1"] = "sim/beta?tps=80",
        ["Council:Chairman"] = "sim/chair",
        ["Council:FallbackChairmen:0"] = "sim/alpha",
    };

    [Test]
    public async Task WithOpenRouterKey_SimulatedCouncilBecomesOpenRouterModels(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(With(("OPENROUTER_API_KEY", "sk-or-test")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["openrouter/openai/gpt-5.1", "openrouter/google/gemini-3-pro-preview", "openrouter/anthropic/claude-sonnet-4.5", "openrouter/x-ai/grok-4"]);
        host.Council.Chairman.ShouldBe("openrouter/google/gemini-3-pro-preview");
        host.Council.FallbackChairmen.ShouldBe(["openrouter/anthropic/claude-sonnet-4.5", "openrouter/openai/gpt-5.1"]);
        host.Router.ListModels().Where(m => m.Provider == "openrouter").Count().ShouldBe(4, "the default council is advertised");
    }

    [Test]
    public async Task WithOpenRouterKey_TheOperatorsOpenRouterDefaultsAreUsed(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(With(
            ("OPENROUTER_API_KEY", "sk-or-test"),
            ("Council:OpenRouterDefaults:Models:0", "openrouter/meta-llama/llama-3.3-70b-instruct"),
            ("Council:OpenRouterDefaults:Models:1", "openrouter/qwen/qwen3-235b-a22b"),
            ("Council:OpenRouterDefaults:Chairman", "openrouter/qwen/qwen3-235b-a22b")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["openrouter/meta-llama/llama-3.3-70b-instruct", "openrouter/qwen/qwen3-235b-a22b"]);
        host.Council.Chairman.ShouldBe("openrouter/qwen/qwen3-235b-a22b");
    }

    [Test]
    public async Task WithoutOpenRouterKey_CouncilStaysSimulated(CancellationToken cancellationToken)
    {
        // Pointed at a variable that is never set, so a real OPENROUTER_API_KEY on this machine cannot interfere.
        await using var host = await ProviderTestHost.StartAsync(With(("Council:Providers:openrouter:ApiKeyEnv", "COUNCIL_TEST_VARIABLE_THAT_IS_NEVER_SET")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["sim/alpha", "sim/beta?tps=80"]);
        host.Council.Chairman.ShouldBe("sim/chair");
    }

    [Test]
    public async Task WithOpenRouterKey_ACouncilOfRealModelsIsLeftAlone(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(With(
            ("OPENROUTER_API_KEY", "sk-or-test"),
            ("Council:DefaultModels:0", "openrouter/mistralai/mistral-large"),
            ("Council:DefaultModels:1", "sim/beta")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["openrouter/mistralai/mistral-large", "sim/beta"]);
        host.Council.Chairman.ShouldBe("sim/chair");
    }

    [Test]
    public async Task WithOpenRouterKey_WhenDisabled_CouncilStaysSimulated(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(With(
            ("OPENROUTER_API_KEY", "sk-or-test"),
            ("Council:OpenRouterDefaults:Enabled", "false")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["sim/alpha", "sim/beta?tps=80"]);
    }

    [Test]
    public async Task WithDefaultsNamingAnUnknownProvider_CouncilStaysSimulated(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(With(
            ("OPENROUTER_API_KEY", "sk-or-test"),
            ("Council:OpenRouterDefaults:Provider", "no-such-provider")), cancellationToken);

        host.Council.DefaultModels.ShouldBe(["sim/alpha", "sim/beta?tps=80"]);
    }

    private static Dictionary<string, string?> With(params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?>(SimulatedCouncil);
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }
        return config;
    }
}
