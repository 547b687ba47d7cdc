using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>
/// Sends the gatekeeper's log to the test's output, so a failing test shows what the server did, and to
/// <paramref name="lines"/> when given, for tests about what is logged.
/// </summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, System.Collections.Concurrent.ConcurrentQueue<string>? lines = null) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName[(categoryName.LastIndexOf('.') + 1)..], lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category, System.Collections.Concurrent.ConcurrentQueue<string>? lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines?.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
