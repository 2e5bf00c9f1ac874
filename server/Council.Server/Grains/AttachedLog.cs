using Council.Contracts.Messages;

namespace Council.Server.Grains;

/// <summary>A run's log as this node reads it (the grain's own or a mirror), with the run's status and newest seq on attach.</summary>
public sealed record AttachedLog(RunEventLog Log, RunStatus Status, long LastSeq);
