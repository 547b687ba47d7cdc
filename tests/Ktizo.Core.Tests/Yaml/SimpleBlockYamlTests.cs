using Ktizo.Core.Yaml;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Tests.Yaml;

/// <summary>
/// The fast path must give YamlDotNet's very tree for what it accepts, and accept nothing YamlDotNet
/// refuses; everything else it must hand back (null).
/// </summary>
public class SimpleBlockYamlTests
{
    /// <summary>What the example patch templates print, and the shapes around it: all must take the fast path.</summary>
    public static TheoryData<string> Accepted() => new(
        "cluster:\n    clusterName: \"homelab\"\n    controlPlane:\n        endpoint: \"https://10.0.5.10:6443\"\n",
        "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: \"off\"\nhostname: \"cp-01\"\n",
        "apiVersion: v1alpha1\nkind: LinkAliasConfig\nname: net0\nselector:\n    match: 'mac(link.permanent_addr) == \"52:54:00:00:05:11\"'\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: \"net0\"\naddresses:\n    - address: \"10.0.5.11/24\"\nroutes:\n    - gateway: \"10.0.5.1\"\nmtu: 9000\n---\napiVersion: v1alpha1\nkind: ResolverConfig\nnameservers:\n    - address: \"10.0.5.1\"\n    - address: \"1.1.1.1\"\n",
        "machine:\n    install:\n        disk: \"/dev/nvme0n1\"\n",
        "machine:\n    nodeLabels:\n        \"topology.kubernetes.io/zone\": \"rack-a\"\n        \"nvidia.com/gpu.present\": \"true\"\n",
        "machine:\n    kernel:\n        modules:\n            - name: nvidia\n            - name: nvidia_uvm\n    sysctls:\n        net.core.bpf_jit_harden: \"1\"\n",
        "",
        "\n\n",
        "# only a comment\n",
        "---\n",
        "a: 1\n---\n---\nb: 2\n",
        "list:\n  - a\n  - b: c\n    d: e\n  - f\n",
        "key:\nother: ~\nthird: null\nfourth: ''\nfifth: \"\"\n",
        "deep:\n  er:\n    and:\n      deeper: yes\n  back: 1\nroot: x\n",
        "a: b   \n  # an indented comment\nc:   d\n",
        "url: https://x:6443/path\nimage: ghcr.io/siderolabs/kubelet:v1.34.1\nkey.with-dots_and/slashes: v\n",
        "items:\n    - name: PodSecurity\n      configuration:\n          apiVersion: v1\n          exemptions:\n              namespaces:\n                  - kube-system\n    - name: other\n",
        "a:b: c\n",
        "text: a  b - c? d=e ~f\n");

    /// <summary>Valid or not, each is either handed back or parsed exactly as YamlDotNet does.</summary>
    public static TheoryData<string> Tricky() => new(
        "key: value # comment\n",
        "key: [a, b]\n",
        "key: {a: b}\n",
        "key: &anchor value\nother: *anchor\n",
        "key: !!str 1\n",
        "key: |\n  block\n",
        "key: >\n  folded\n",
        "key: \"esc\\n\"\n",
        "key: 'it''s'\n",
        "key: plain\n  continued\n",
        "key: \"multi\n  line\"\n",
        "key:\n- a\n- b\n",
        "a: 1\na: 2\n",
        "a: 1\n b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "- a\n- b\n",
        "plain scalar\n",
        "a: b: c\n",
        "\"a\" : b\n",
        "\"a\":b\n",
        "a:\tb\n",
        "\ta: b\n",
        "a: b\r\nc: d\r\n",
        "a: caf\u00e9\n",
        "--- a: b\n",
        "...\n",
        "%YAML 1.2\n---\na: b\n",
        "a:\n  - - x\n",
        "a:\n  -\n    b: c\n",
        "a:\n  -   x\n",
        "? a\n: b\n",
        "a: -1\n",
        "a: :x\n",
        "a: b:\n",
        "  a: b\n",
        "a: \"x\" y\n",
        "a: 'x' y\n",
        "a: x \"y\"\n",
        "a: @x\n",
        "a: `x`\n",
        "list:\n  - a\n  b: c\n",
        "list:\n  - a\n    b\n",
        "list:\n  - a: b\n     c: d\n",
        "list:\n  - a: b\n   c: d\n",
        "a:\n  b: 1\n  - c\n",
        "a: 1\n---\n- b\n",
        "a: ---\n",
        "a: ...\n",
        "a:\n    ---\n");

    [Theory]
    [MemberData(nameof(Accepted))]
    public void TryParse_TemplateLikeOutput_TakesTheFastPathAndGivesYamlDotNetsTree(string text)
    {
        var fast = SimpleBlockYaml.TryParse(text);

        Assert.NotNull(fast);
        AssertSameAsYamlDotNet(text, fast);
    }

    [Theory]
    [MemberData(nameof(Tricky))]
    public void TryParse_AnythingElse_IsHandedBackOrParsedTheSame(string text) => AssertHandedBackOrSame(text);

    /// <summary>
    /// Every single-character edit of every accepted input (insert one of YAML's meaningful characters,
    /// or delete one): thousands of near-misses, each handed back or parsed as YamlDotNet does.
    /// </summary>
    [Fact]
    public void TryParse_EveryOneCharacterEditOfAcceptedInputs_IsHandedBackOrParsedTheSame()
    {
        const string inserts = " :-#\"'\n\t&*![]{},|>?.%@~\\";
        var checkedCount = 0;
        var fastCount = 0;
        foreach (string text in Accepted())
        {
            for (var i = 0; i <= text.Length; i++)
            {
                foreach (var c in inserts)
                {
                    fastCount += AssertHandedBackOrSame(text.Insert(i, c.ToString())) ? 1 : 0;
                    checkedCount++;
                }

                if (i < text.Length)
                {
                    fastCount += AssertHandedBackOrSame(text.Remove(i, 1)) ? 1 : 0;
                    checkedCount++;
                }
            }
        }

        // Not a vacuous pass: many of the edits are still in the subset and were compared.
        Assert.True(fastCount > checkedCount / 10, $"{fastCount} of {checkedCount} edits took the fast path");
    }

    /// <summary>Seeded random runs of two to four edits (insert, delete, duplicate a line), for the combinations.</summary>
    [Fact]
    public void TryParse_RandomEditsOfAcceptedInputs_AreHandedBackOrParsedTheSame()
    {
        const string inserts = " :-#\"'\n&*[]{},|>?.~";
        var random = new Random(20261125);
        var inputs = Accepted().Cast<string>().Where(t => t.Length > 0).ToArray();
        var fastCount = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var text = inputs[random.Next(inputs.Length)];
            for (var edits = random.Next(2, 5); edits > 0 && text.Length > 0; edits--)
            {
                var at = random.Next(text.Length);
                text = random.Next(3) switch
                {
                    0 => text.Insert(at, inserts[random.Next(inserts.Length)].ToString()),
                    1 => text.Remove(at, 1),
                    _ => DuplicateLine(text, at),
                };
            }

            fastCount += AssertHandedBackOrSame(text) ? 1 : 0;
        }

        Assert.True(fastCount > 1_000, $"{fastCount} of 20000 edits took the fast path");
    }

    private static string DuplicateLine(string text, int at)
    {
        var start = text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
        var end = text.IndexOf('\n', at);
        var line = end < 0 ? text[start..] + "\n" : text[start..(end + 1)];
        return text.Insert(start, line);
    }

    /// <returns>True when the fast path parsed it (and it matched).</returns>
    private static bool AssertHandedBackOrSame(string text)
    {
        var fast = SimpleBlockYaml.TryParse(text);
        if (fast is null)
        {
            return false;
        }

        AssertSameAsYamlDotNet(text, fast);
        return true;
    }

    private static void AssertSameAsYamlDotNet(string text, List<YamlDocument> fast)
    {
        var slow = YamlDocuments.Parse(text, "t.yaml", out var errors);
        Assert.True(errors.Count == 0, $"fast path accepted what YamlDotNet refuses: {text}\n{string.Join("\n", errors)}");
        Assert.True(slow.Count == fast.Count, $"document count {fast.Count}, YamlDotNet {slow.Count}: {text}");
        for (var i = 0; i < slow.Count; i++)
        {
            Assert.True(Describe(slow[i].RootNode) == Describe(fast[i].RootNode), $"trees differ for:\n{text}\nYamlDotNet: {Describe(slow[i].RootNode)}\nfast:       {Describe(fast[i].RootNode)}");
        }
    }

    /// <summary>Everything the merge and the writer look at: kinds, order, values, styles and tags.</summary>
    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"S({s.Style},{s.Tag},{(s.Value is null ? "<null>" : "'" + s.Value + "'")})",
        YamlMappingNode m => $"M({m.Style},{m.Tag}){{{string.Join(", ", m.Children.Select(kv => Describe(kv.Key) + ": " + Describe(kv.Value)))}}}",
        YamlSequenceNode q => $"Q({q.Style},{q.Tag})[{string.Join(", ", q.Children.Select(Describe))}]",
        _ => node.GetType().Name,
    };
}
