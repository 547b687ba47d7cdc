namespace Ktizo.Testing;

/// <summary>
/// Templates written to take the machine that renders them (issue 15), and a crowd of devices to render them
/// for. Shared by the core's, the gatekeeper's and the benchmark's tests of the render bounds.
/// </summary>
public static class HostileTemplates
{
    /// <summary>Applies to every device, after the example's own patches.</summary>
    public const string PatchPath = "templates/patches/all/60-hostile.yaml";

    /// <summary>
    /// A recursion that fans out: depth 40 stays under the recursion limit and there is no loop for the loop
    /// limit to count, yet it makes 2^40 calls. Only a clock stops it.
    /// </summary>
    public const string BurnsCpu = "{{ func burn(n); if n > 0; burn(n - 1); burn(n - 1); end; end; burn 40 }}\n";

    /// <summary>A range of a billion numbers, counted into an array.</summary>
    public const string CountsABillion = "{{ (1..1000000000) | array.size }}\n";

    public const string LoopsForever = "{{ while true }}x{{ end }}\n";

    public const string RecursesForever = "{{ func f; ret f; end; f }}\n";

    /// <summary>Doubles a string: a gigabyte in thirty steps, well inside the loop limit.</summary>
    public const string DoublesAString = "{{ s = 'x'; for i in 1..40; s = s + s; end; s }}\n";

    /// <summary>Doubles an array: sixteen gigabytes of items in thirty steps, were the items copied not counted as iterations.</summary>
    public const string DoublesAnArray = "{{ a = [1]; for i in 1..40; a = a | array.add_range a; end; a | array.size }}\n";

    /// <summary>Writes 9,000 lines of 200 characters: 1.8 MB of output.</summary>
    public static readonly string WritesTooMuch = "{{ for i in 1..9000 }}" + new string('x', 200) + "\n{{ end }}";

    /// <summary><paramref name="count"/> (at most 150) approved workers at 10.0.5.100 up, as device files: path and content.</summary>
    public static IEnumerable<(string Path, string Content)> Workers(int count) =>
        Enumerable.Range(0, Math.Min(count, 150)).Select(i => (
            $"inventory/devices/crowd-{i:D3}.yaml",
            $"mac: 52:54:00:00:00:{i:x2}\nhostname: crowd-{i:D3}\nrole: worker\nip: 10.0.5.{100 + i}/24\n"));
}
