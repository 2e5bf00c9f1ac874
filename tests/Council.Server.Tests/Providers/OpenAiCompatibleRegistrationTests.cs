using System.Text.Json;
using Council.Contracts;
using Council.Server.Providers;
using Council.Server.Providers.OpenAiCompatible;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Providers;

/// <summary>Providers from configuration: routing by model id prefix, what is advertised, keys, validation at start.</summary>
[CancelAfter(30_000)]
public sealed class OpenAiCompatibleRegistrationTests
{
    private const string MissingVariable = "COUNCIL_TEST_VARIABLE_THAT_IS_NEVER_SET";

    [Test]
    public async Task ModelId_WithProviderPrefix_RoutesToThatProvider(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:local:BaseUrl"] = "http://127.0.0.1:11434/v1",
            ["Council:Providers:openrouter:ApiKey"] = "sk-or-test",
        }, cancellationToken);

        host.Router.Find("local/llama3.2:3b").ShouldBeOfType<OpenAiCompatibleProvider>().Name.ShouldBe("local");
        host.Router.Find("openrouter/anthropic/claude-sonnet-4").ShouldBeOfType<OpenAiCompatibleProvider>().Name.ShouldBe("openrouter");
        host.Router.Find("sim/alpha").ShouldBeOfType<SimulatedProvider>();
        host.Router.Find("local/").ShouldBeNull();
        host.Router.Find("elsewhere/model").ShouldBeNull();
    }

    [Test]
    public async Task ListModels_AdvertisesConfiguredModelsUnderTheProviderName_AndNoKey(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:gateway:BaseUrl"] = "https://gateway.example.invalid/api/v1",
            ["Council:Providers:gateway:ApiKey"] = "sk-or-secret-value",
            ["Council:Providers:gateway:Models:0"] = "anthropic/claude-sonnet-4",
            ["Council:Providers:gateway:Models:1"] = "openai/gpt-4o",
        }, cancellationToken);

        var models = host.Router.ListModels().Where(m => m.Provider == "gateway").Select(m => m.Id);

        models.ShouldBe(["gateway/anthropic/claude-sonnet-4", "gateway/openai/gpt-4o"]);
        JsonSerializer.Serialize(host.Router.ListModels(), CouncilJsonContext.Default.IReadOnlyListModelInfo).ShouldNotContain("sk-or-secret-value");
    }

    [Test]
    public async Task Provider_WithoutItsKey_AdvertisesNothing_AndCallsFailNamingTheVariable(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:paid:BaseUrl"] = "https://api.example.invalid/v1",
            ["Council:Providers:paid:ApiKeyEnv"] = MissingVariable,
            ["Council:Providers:paid:Models:0"] = "big-model",
        }, cancellationToken);
        var provider = host.ProviderFor("paid/big-model");

        provider.ListModels().ShouldBeEmpty();
        var (_, error) = await provider.StreamAsync(StreamCollector.Ask("paid/big-model"), cancellationToken).CollectAsync(cancellationToken);

        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Code.ShouldBe("missing_api_key");
        failure.Message.ShouldContain(MissingVariable);
    }

    [Test]
    public async Task Provider_WithKeyFromTheNamedVariable_IsActive(CancellationToken cancellationToken)
    {
        // The variable is looked up in the environment, then in configuration under the same name.
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:paid:BaseUrl"] = "https://api.example.invalid/v1",
            ["Council:Providers:paid:ApiKeyEnv"] = "COUNCIL_TEST_PAID_KEY",
            ["COUNCIL_TEST_PAID_KEY"] = "pk-123",
            ["Council:Providers:paid:Models:0"] = "big-model",
        }, cancellationToken);

        host.ProviderFor("paid/big-model").ListModels().Select(m => m.Id).ShouldBe(["paid/big-model"]);
    }

    [Test]
    public async Task Serves_WhenUnlistedModelsAreNotAllowed_TakesOnlyListedModels(CancellationToken cancellationToken)
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:strict:BaseUrl"] = "http://127.0.0.1:8000/v1",
            ["Council:Providers:strict:AllowUnlistedModels"] = "false",
            ["Council:Providers:strict:Models:0"] = "allowed-model",
        }, cancellationToken);

        host.Router.Find("strict/allowed-model").ShouldNotBeNull();
        host.Router.Find("strict/other-model").ShouldBeNull();
    }

    [TestCase("BaseUrl", "not a url", "BaseUrl must be an absolute http(s) URL")]
    [TestCase("BaseUrl", "http://user:pass@example.com/v1", "must not carry credentials")]
    [TestCase("MaxAttempts", "0", "MaxAttempts must be between 1 and 10")]
    [TestCase("Headers:Authorization", "Bearer x", "must not set Authorization")]
    public async Task Start_WithInvalidProviderSettings_FailsNamingTheSetting(string setting, string value, string expected, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string?>
        {
            ["Council:Providers:broken:BaseUrl"] = "http://127.0.0.1:8000/v1",
            [$"Council:Providers:broken:{setting}"] = value,
        };

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => ProviderTestHost.StartAsync(config, cancellationToken));

        failure.Message.ShouldContain("Council:Providers:broken");
        failure.Message.ShouldContain(expected);
    }

    [Test]
    public async Task Start_WithProviderNamedLikeTheSimulatedPrefix_Fails(CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string?> { ["Council:Providers:sim:BaseUrl"] = "http://127.0.0.1:8000/v1" };

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => ProviderTestHost.StartAsync(config, cancellationToken));

        failure.Message.ShouldContain("not 'sim'");
    }
}
