using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.Git.Tests;

/// <summary>Keeps every formatted log line (to assert on, e.g. that no token leaks) and echoes it to the test output.</summary>
internal sealed class TestLogger(ITestOutputHelper output) : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }

        output.WriteLine(line);
    }
}
