using System.Data.Common;

namespace Council.Server.Storage;

/// <summary>Commands on either provider's connection, queries in SQLite's form (see <see cref="StorageDialect"/>).</summary>
internal static class DbCommands
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = StorageDialect.Of(connection).Sql(sql);
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// Binds <paramref name="name"/> (written <c>$name</c>) to <paramref name="value"/>; null binds SQL NULL. A null
    /// that only <c>IS NULL</c> reads needs its <paramref name="type"/> (PostgreSQL cannot tell it otherwise).
    /// </summary>
    public static void Set(this DbCommand command, string name, object? value, System.Data.DbType? type = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = StorageDialect.Of(command.Connection!).ParameterName(name);
        parameter.Value = value ?? DBNull.Value;
        if (type is { } t)
        {
            parameter.DbType = t;
        }
        command.Parameters.Add(parameter);
    }
}
