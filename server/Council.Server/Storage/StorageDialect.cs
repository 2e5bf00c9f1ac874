using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Council.Server.Storage;

/// <summary>
/// The few SQL differences between SQLite and PostgreSQL. Queries are written once, in SQLite's form with
/// <c>$name</c> parameters; on PostgreSQL the parameters become <c>@name</c> and JSON fields are read with
/// <c>-&gt;&gt;</c> instead of <c>json_extract</c>.
/// </summary>
internal sealed partial class StorageDialect
{
    public static readonly StorageDialect Sqlite = new(postgres: false);
    public static readonly StorageDialect Postgres = new(postgres: true);

    private StorageDialect(bool postgres) => IsPostgres = postgres;

    public bool IsPostgres { get; }

    public static StorageDialect Of(DbConnection connection) => connection is SqliteConnection ? Sqlite : Postgres;

    /// <summary>A query in this dialect: <c>$name</c> parameters as PostgreSQL's <c>@name</c>.</summary>
    public string Sql(string sql) => IsPostgres ? Parameter().Replace(sql, "@$1") : sql;

    /// <summary>A parameter's name as this dialect's provider binds it.</summary>
    public string ParameterName(string name) => IsPostgres ? name.TrimStart('$') : name;

    /// <summary>A JSON text column's integer field.</summary>
    public string JsonInt(string column, string field) =>
        IsPostgres ? $"({column}::jsonb->>'{field}')::integer" : $"json_extract({column}, '$.{field}')";

    /// <summary>A JSON text column's number field as a double.</summary>
    public string JsonReal(string column, string field) =>
        IsPostgres ? $"({column}::jsonb->>'{field}')::float8" : $"CAST(json_extract({column}, '$.{field}') AS REAL)";

    /// <summary>A JSON text column's string field.</summary>
    public string JsonText(string column, string field) =>
        IsPostgres ? $"({column}::jsonb->>'{field}')" : $"json_extract({column}, '$.{field}')";

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Parameter();
}
