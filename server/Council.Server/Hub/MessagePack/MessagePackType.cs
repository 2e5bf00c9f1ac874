namespace Council.Server.Hub.MessagePack;

/// <summary>The family a MessagePack value belongs to, as told by its first byte.</summary>
internal enum MessagePackType
{
    Unknown,
    Integer,
    Nil,
    Boolean,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
