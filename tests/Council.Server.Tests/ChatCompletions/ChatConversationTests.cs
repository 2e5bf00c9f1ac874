using System.Text.Json;
using Council.Server.ChatCompletions;
using Council.Server.Providers;
using Council.Server.Workflows;

namespace Council.Server.Tests.ChatCompletions;

public class ChatConversationTests
{
    private static ChatCompletionsMessage Message(string role, string? content) =>
        new() { Role = role, Content = content is null ? null : JsonSerializer.SerializeToElement(content) };

    [Test]
    public void TheLastUserMessageIsTheQuestion_EarlierTurnsAndSystemMessagesAreHistory()
    {
        var conversation = ChatConversation.From(
        [
            Message("system", "Answer in French."),
            Message("user", "Q1"),
            Message("assistant", "A1"),
            Message("developer", "Be brief."),
            Message("user", "Q2a"),
            Message("user", "Q2b"),
            Message("assistant", null),
            Message("user", "Q3"),
        ], 1000);

        conversation.Question.ShouldBe("Q3");
        conversation.History.ShouldBe(
        [
            new ConversationTurn("Q1", "A1", "Answer in French."),
            new ConversationTurn("Q2a\n\nQ2b", "", "Be brief."),
        ]);
        CouncilPrompts.Answer(conversation.Question, conversation.History).ShouldBe(
        [
            new ChatMessage(ChatRole.System, "Answer in French."),
            new ChatMessage(ChatRole.User, "Q1"),
            new ChatMessage(ChatRole.Assistant, "A1"),
            new ChatMessage(ChatRole.System, "Be brief."),
            new ChatMessage(ChatRole.User, "Q2a\n\nQ2b"),
            new ChatMessage(ChatRole.User, "Q3"),
        ]);
    }

    [Test]
    public void ASystemMessageBeforeTheOnlyQuestion_GoesFirst()
    {
        var conversation = ChatConversation.From([Message("system", "Be brief."), Message("user", "Why?")], 1000);

        CouncilPrompts.Answer(conversation.Question, conversation.History)
            .ShouldBe([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Why?")]);
    }

    [Test]
    public void TextParts_AreJoined()
    {
        var content = JsonSerializer.SerializeToElement(new object[] { new { type = "text", text = "Hello " }, new { type = "text", text = "there" } });

        ChatConversation.From([new ChatCompletionsMessage { Role = "user", Content = content }], 1000).Question.ShouldBe("Hello there");
    }

    [TestCase(null, "needs a 'role'")]
    [TestCase("function", "role 'function'")]
    public void AMessageWithoutAUsableRole_IsRefused(string? role, string message)
    {
        var error = Should.Throw<OpenAiErrorException>(() => ChatConversation.From([Message(role!, "x"), Message("user", "Q")], 1000));

        error.Status.ShouldBe(400);
        error.Message.ShouldContain(message);
    }

    [Test]
    public void ContentOfAnotherShape_IsRefused()
    {
        var number = new ChatCompletionsMessage { Role = "user", Content = JsonSerializer.SerializeToElement(42) };

        Should.Throw<OpenAiErrorException>(() => ChatConversation.From([number], 1000)).Message
            .ShouldBe("messages[0].content must be a string or an array of text parts.");
    }

    [Test]
    public void AConversationLongerThanItsLimit_IsRefused()
    {
        var error = Should.Throw<OpenAiErrorException>(() => ChatConversation.From([Message("user", new string('x', 80)), Message("user", "Q")], 10));

        error.Code.ShouldBe("context_length_exceeded");
        error.Message.ShouldBe("The messages hold 81 characters; a conversation may have at most 80. Send fewer or shorter earlier turns.");
    }
}
