using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Council.Contracts.Messages;

// [EnumMember] gives MessagePack the same lowercase strings as JSON (its enum-as-string resolver, which SignalR's
// MessagePack protocol puts first, reads them).

/// <summary>Status of a stage in <c>stage_progress</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageStatus>))]
public enum StageStatus
{
    [JsonStringEnumMemberName("started"), EnumMember(Value = "started")] Started,
    [JsonStringEnumMemberName("running"), EnumMember(Value = "running")] Running,
    [JsonStringEnumMemberName("completed"), EnumMember(Value = "completed")] Completed,
    [JsonStringEnumMemberName("skipped"), EnumMember(Value = "skipped")] Skipped,
}

/// <summary>How one model call ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelStatus>))]
public enum ModelStatus
{
    [JsonStringEnumMemberName("ok"), EnumMember(Value = "ok")] Ok,
    [JsonStringEnumMemberName("cancelled"), EnumMember(Value = "cancelled")] Cancelled,
    [JsonStringEnumMemberName("failed"), EnumMember(Value = "failed")] Failed,
}

/// <summary>How a run ended, or that it is still going.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("running"), EnumMember(Value = "running")] Running,
    [JsonStringEnumMemberName("ok"), EnumMember(Value = "ok")] Ok,
    [JsonStringEnumMemberName("cancelled"), EnumMember(Value = "cancelled")] Cancelled,
    [JsonStringEnumMemberName("failed"), EnumMember(Value = "failed")] Failed,
    [JsonStringEnumMemberName("interrupted"), EnumMember(Value = "interrupted")] Interrupted,
}
