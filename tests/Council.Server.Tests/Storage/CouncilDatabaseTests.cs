using Council.Server.Storage;

namespace Council.Server.Tests.Storage;

public class CouncilDatabaseTests
{
    [Test]
    public async Task Connections_UseWalWithNormalSync_AndCheckpointEvery8192Pages()
    {
        await using var storage = await TestStorage.StartAsync();
        using var connection = storage.Database.Open();

        Pragma(connection, "journal_mode").ShouldBe("wal");
        Pragma(connection, "synchronous").ShouldBe("1", "NORMAL: commits write the WAL, only checkpoints sync");
        Pragma(connection, "wal_autocheckpoint").ShouldBe(CouncilDatabase.CheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        CouncilDatabase.CheckpointPages.ShouldBe(8192);
    }

    private static string? Pragma(Microsoft.Data.Sqlite.SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
