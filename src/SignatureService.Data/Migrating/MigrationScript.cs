using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SignatureService.Data.Migrating;

/// <summary>One versioned SQL migration file embedded in this assembly (<c>Migrations/NNNN_name.sql</c>).</summary>
/// <param name="Version">The positive version number from the file name; versions are applied in ascending order.</param>
/// <param name="Name">The file name, e.g. <c>0001_initial.sql</c>.</param>
/// <param name="Sql">The file's text, executed in one transaction.</param>
/// <param name="Checksum">SHA-256 of the file's bytes, recorded when applied and compared on every start.</param>
public sealed partial record MigrationScript(int Version, string Name, string Sql, byte[] Checksum)
{
    private const string ResourcePrefix = "Migrations.";

    /// <summary>Loads every embedded migration, ordered by version; duplicate versions are a build mistake and throw.</summary>
    public static IReadOnlyList<MigrationScript> LoadEmbedded() => Load(typeof(MigrationScript).Assembly);

    internal static IReadOnlyList<MigrationScript> Load(Assembly assembly)
    {
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(name);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration file '{name}' must be named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            scripts.Add(new MigrationScript(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                name,
                System.Text.Encoding.UTF8.GetString(bytes),
                SHA256.HashData(bytes)));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Migrations '{scripts[i - 1].Name}' and '{scripts[i].Name}' share version {scripts[i].Version}.");
            }
        }

        return scripts;
    }

    [GeneratedRegex(@"^(?<version>[0-9]{4})_[a-z0-9_]+\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
