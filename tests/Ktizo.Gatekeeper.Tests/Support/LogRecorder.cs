using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ktizo.Gatekeeper.Tests.Support;

/// <summary>Keeps every log entry of every level, so a test can count lines by event and level.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, EventId Event, string Message, Exception? Exception)> Entries { get; } = new();

    /// <summary>Registers the recorder with the host, at every level whatever the host's filters say.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogRecorder).FullName, null, LogLevel.Trace, null)));
    }

    public int Count(int eventId) => Entries.Count(e => e.Event.Id == eventId);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Entries.Enqueue((logLevel, category, eventId, formatter(state, exception), exception));
    }
}
