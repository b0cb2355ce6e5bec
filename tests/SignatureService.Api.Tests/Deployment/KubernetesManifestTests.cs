using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace SignatureService.Api.Tests.Deployment;

/// <summary>Static checks of k8s/ and the Dockerfile (no cluster or Docker engine here): every manifest parses and has the hardening the service relies on.</summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string Root = RepositoryRoot();

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private static readonly Lazy<List<(string File, Dictionary<object, object> Doc)>> All = new(() =>
    {
        var deserializer = new DeserializerBuilder().Build();
        var docs = new List<(string, Dictionary<object, object>)>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "k8s"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var reader = new StringReader(File.ReadAllText(file));
            var parser = new Parser(reader);
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                var doc = deserializer.Deserialize<Dictionary<object, object>>(parser);
                docs.Add((Path.GetRelativePath(Root, file), doc));
            }
        }

        return docs;
    });

    private static IEnumerable<Dictionary<object, object>> Kind(string kind, string? under = null) =>
        All.Value.Where(d => Str(d.Doc, "kind") == kind && (under is null || d.File.StartsWith(under, StringComparison.Ordinal))).Select(d => d.Doc);

    private static Dictionary<object, object> Single(string kind, string under = "k8s/base") => Assert.Single(Kind(kind, under));

    /// <summary>Walks a dotted path; label keys with dots (<c>app.kubernetes.io/name</c>) match greedily.</summary>
    private static object? Get(object? node, string path)
    {
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length && node is not null;)
        {
            if (node is List<object> list)
            {
                node = int.TryParse(parts[i], out var index) && index < list.Count ? list[index] : null;
                i++;
                continue;
            }

            if (node is not Dictionary<object, object> map)
            {
                return null;
            }

            var next = i;
            for (var j = parts.Length; j > i; j--)
            {
                if (map.TryGetValue(string.Join('.', parts[i..j]), out var value))
                {
                    node = value;
                    next = j;
                    break;
                }
            }

            if (next == i)
            {
                return null;
            }

            i = next;
        }

        return node;
    }

    private static string? Str(object? node, string path) => Get(node, path)?.ToString();

    private static List<object> List(object? node, string path) => Get(node, path) as List<object> ?? [];

    [Fact]
    public void EveryManifest_Parses_AndNamesItsKind()
    {
        Assert.True(All.Value.Count >= 15, $"{All.Value.Count} documents");
        foreach (var (file, doc) in All.Value)
        {
            Assert.False(string.IsNullOrEmpty(Str(doc, "apiVersion")), file);
            Assert.False(string.IsNullOrEmpty(Str(doc, "kind")), file);
            if (Str(doc, "kind") != "Kustomization")
            {
                Assert.False(string.IsNullOrEmpty(Str(doc, "metadata.name")), file);
            }
        }
    }

    [Fact]
    public void Kustomizations_ReferenceFilesThatExist()
    {
        foreach (var (file, doc) in All.Value.Where(d => Str(d.Doc, "kind") == "Kustomization"))
        {
            var dir = Path.GetDirectoryName(Path.Combine(Root, file))!;
            var paths = List(doc, "resources").Select(r => r.ToString()!)
                .Concat(List(doc, "patches").Select(p => Str(p, "path")).OfType<string>());
            foreach (var path in paths)
            {
                var full = Path.Combine(dir, path);
                Assert.True(File.Exists(full) || File.Exists(Path.Combine(full, "kustomization.yaml")), $"{file} references missing {path}");
            }
        }

        Assert.Equal(["k8s/base/kustomization.yaml", "k8s/overlays/development/kustomization.yaml", "k8s/overlays/production/kustomization.yaml"],
            All.Value.Where(d => Str(d.Doc, "kind") == "Kustomization").Select(d => d.File.Replace('\\', '/')).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Deployment_IsReplicatedSpreadProbedAndHardened()
    {
        var deployment = Single("Deployment");
        var pod = Get(deployment, "spec.template.spec");
        Assert.True(Convert.ToInt32(Str(deployment, "spec.replicas"), System.Globalization.CultureInfo.InvariantCulture) >= 3);
        Assert.Contains(List(pod, "topologySpreadConstraints"),
            c => Str(c, "topologyKey") == "kubernetes.io/hostname" && Str(c, "whenUnsatisfiable") == "DoNotSchedule");
        Assert.Equal("false", Str(pod, "automountServiceAccountToken"));
        Assert.Equal("true", Str(pod, "securityContext.runAsNonRoot"));
        Assert.Equal("RuntimeDefault", Str(pod, "securityContext.seccompProfile.type"));

        var api = Assert.Single(List(pod, "containers"));
        Assert.Equal("/health/live", Str(api, "livenessProbe.httpGet.path"));
        Assert.Equal("/health/ready", Str(api, "readinessProbe.httpGet.path"));
        foreach (var resource in new[] { "requests.cpu", "requests.memory", "limits.cpu", "limits.memory" })
        {
            Assert.NotNull(Str(api, "resources." + resource));
        }

        AssertHardened(api);
        var env = List(api, "env").ToDictionary(e => Str(e, "name")!, e => e);
        Assert.Equal("false", Str(env["Database__ApplyMigrationsAtStartup"], "value"));
        Assert.NotNull(Str(env["DB_APP_PASSWORD"], "valueFrom.secretKeyRef.name"));
        Assert.Contains("$(DB_APP_PASSWORD)", Str(env["ConnectionStrings__SignatureService"], "value"), StringComparison.Ordinal);
        var pinDir = Path.GetDirectoryName(Str(env["Hsm__PinFile"], "value"))!;
        var pinMount = List(api, "volumeMounts").Single(m => Str(m, "mountPath") == pinDir);
        var pinVolume = List(pod, "volumes").Single(v => Str(v, "name") == Str(pinMount, "name"));
        Assert.NotNull(Str(pinVolume, "secret.secretName"));
    }

    [Fact]
    public void ServiceIngressAutoscalerBudgetAndAccount_ArePresent()
    {
        Assert.Equal("ClusterIP", Str(Single("Service"), "spec.type"));
        var ingress = Single("Ingress");
        Assert.NotEmpty(List(ingress, "spec.tls"));
        Assert.NotNull(Str(ingress, "spec.tls.0.secretName"));
        var hpa = Single("HorizontalPodAutoscaler");
        Assert.Equal("signsvc-api", Str(hpa, "spec.scaleTargetRef.name"));
        Assert.True(int.Parse(Str(hpa, "spec.minReplicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 3);
        Assert.Equal("signsvc-api", Str(Single("PodDisruptionBudget"), "spec.selector.matchLabels.app.kubernetes.io/name"));
        Assert.Equal("false", Str(Single("ServiceAccount"), "automountServiceAccountToken"));
    }

    [Fact]
    public void NetworkPolicy_OnlyIngressReachesTheApi_AndTheApiReachesOnlyPostgresDnsAndHsm()
    {
        foreach (var under in new[] { "k8s/base", "k8s/overlays/production" })
        {
            var policy = Kind("NetworkPolicy", under).Single(p => Str(p, "metadata.name") == "signsvc-api");
            Assert.Equal(["Egress", "Ingress"], List(policy, "spec.policyTypes").Select(t => t.ToString()!).Order(StringComparer.Ordinal));
            var from = Assert.Single(List(policy, "spec.ingress"));
            Assert.Equal("ingress-nginx", Str(Assert.Single(List(from, "from")), "namespaceSelector.matchLabels.kubernetes.io/metadata.name"));
            foreach (var rule in List(policy, "spec.egress"))
            {
                var to = Assert.Single(List(rule, "to"));
                var ports = List(rule, "ports").Select(p => Str(p, "port")).ToList();
                var target = Str(to, "podSelector.matchLabels.cnpg.io/cluster") is not null ? "postgres"
                    : Str(to, "podSelector.matchLabels.k8s-app") == "kube-dns" ? "dns"
                    : Str(to, "ipBlock.cidr") is not null && under.Contains("production", StringComparison.Ordinal) ? "hsm"
                    : "other";
                Assert.NotEqual("other", target);
                Assert.NotEmpty(ports);
                if (target == "postgres")
                {
                    Assert.Equal(["5432"], ports);
                }
            }
        }

        var production = Kind("NetworkPolicy", "k8s/overlays/production").Single();
        Assert.Contains(List(production, "spec.egress"), r => Str(r, "to.0.ipBlock.cidr") is not null);
    }

    [Fact]
    public void MigrationJob_RunsTheMigrateVerbHardened()
    {
        var job = Single("Job");
        var pod = Get(job, "spec.template.spec");
        var container = Assert.Single(List(pod, "containers"));
        Assert.Equal(["migrate"], List(container, "args").Select(a => a.ToString()!));
        Assert.Equal("Never", Str(pod, "restartPolicy"));
        Assert.Equal("false", Str(pod, "automountServiceAccountToken"));
        AssertHardened(container);
        Assert.NotNull(Str(List(container, "env").Single(e => Str(e, "name") == "DB_OWNER_PASSWORD"), "valueFrom.secretKeyRef.name"));
    }

    [Fact]
    public void PostgresCluster_HasThreeInstancesAndBackups()
    {
        var cluster = Single("Cluster");
        Assert.StartsWith("postgresql.cnpg.io/", Str(cluster, "apiVersion"), StringComparison.Ordinal);
        Assert.Equal("3", Str(cluster, "spec.instances"));
        Assert.NotNull(Str(cluster, "spec.backup.barmanObjectStore.destinationPath"));
        Assert.NotNull(Str(cluster, "spec.backup.retentionPolicy"));
        Assert.Equal("signsvc-db", Str(Single("ScheduledBackup"), "spec.cluster.name"));
        Assert.Contains(List(cluster, "spec.managed.roles"), r => Str(r, "name") == "signsvc_app" && List(r, "inRoles").Contains("signsvc_runtime"));
    }

    [Fact]
    public void Overlays_DevelopmentUsesSoftHsm_ProductionMountsTheNetworkHsmLibrary()
    {
        var development = File.ReadAllText(Path.Combine(Root, "k8s/overlays/development/deployment-softhsm.yaml"));
        Assert.Contains("libsofthsm2.so", development, StringComparison.Ordinal);
        var production = Kind("Deployment", "k8s/overlays/production").Single();
        var container = Assert.Single(List(production, "spec.template.spec.containers"));
        var module = Str(List(container, "env").Single(e => Str(e, "name") == "Hsm__ModulePath"), "value")!;
        var mount = List(container, "volumeMounts").Single(m => module.StartsWith(Str(m, "mountPath")! + "/", StringComparison.Ordinal));
        Assert.Equal("true", Str(mount, "readOnly"));
        var volume = List(production, "spec.template.spec.volumes").Single(v => Str(v, "name") == Str(mount, "name"));
        Assert.NotNull(Get(volume, "persistentVolumeClaim"));
        Assert.DoesNotContain("softhsm", File.ReadAllText(Path.Combine(Root, "k8s/overlays/production/deployment-network-hsm.yaml")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NoManifest_CommitsASecretValue()
    {
        Assert.Empty(Kind("Secret"));
        foreach (var (file, _) in All.Value)
        {
            var text = File.ReadAllText(Path.Combine(Root, file));
            foreach (Match match in PasswordInConnectionString().Matches(text))
            {
                Assert.StartsWith("$(", match.Groups[1].Value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Dockerfile_IsMultiStageNonRoot_WithSoftHsmOnlyInTheDevelopmentImage()
    {
        var text = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var headers = StageHeader().Matches(text).ToList();
        var names = headers.Select(m => m.Groups["name"].Value).ToList();
        Assert.True(names.Count >= 3, string.Join(",", names));
        Assert.Equal("production", names[^1]);
        var byName = headers.Select((m, i) => (m.Groups["name"].Value,
                (i + 1 < headers.Count ? text[m.Index..headers[i + 1].Index] : text[m.Index..])))
            .ToDictionary(p => p.Item1, p => p.Item2);
        Assert.Contains("softhsm2", byName["development"], StringComparison.Ordinal);
        foreach (var name in new[] { "runtime", "production" })
        {
            Assert.DoesNotContain("softhsm", byName[name], StringComparison.OrdinalIgnoreCase);
        }

        foreach (var name in new[] { "development", "production" })
        {
            var user = Regex.Match(byName[name], @"^USER\s+(\S+)", RegexOptions.Multiline);
            Assert.True(user.Success, $"{name} sets no USER");
            Assert.DoesNotMatch("^(0|root)(:|$)", user.Groups[1].Value);
        }
    }

    private static void AssertHardened(object container)
    {
        Assert.Equal("false", Str(container, "securityContext.allowPrivilegeEscalation"));
        Assert.Equal("true", Str(container, "securityContext.readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], List(container, "securityContext.capabilities.drop").Select(c => c.ToString()!));
    }

    [GeneratedRegex(@"Password=([^;\s""]+)")]
    private static partial Regex PasswordInConnectionString();

    [GeneratedRegex(@"^FROM\s+\S+\s+AS\s+(?<name>\S+)\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex StageHeader();
}
