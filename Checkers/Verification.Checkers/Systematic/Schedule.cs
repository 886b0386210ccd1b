using System.Text.Json;
using Verification.Specs;

namespace Verification.Checkers.Systematic;

/// <summary>One step of a schedule: the action, by its description, and the values nodes chose while it ran.</summary>
public sealed record ScheduleStep(string Action, IReadOnlyList<int> Choices);

/// <summary>
/// A replayable run: the choices at start-up, then each step's action and choices. Saved as JSON; replay finds each
/// action among the enabled ones by its description, so a schedule stays readable and survives minimisation.
/// </summary>
public sealed record Schedule(string Protocol, string Strategy, int Seed, long Iteration, IReadOnlyList<int> StartChoices, IReadOnlyList<ScheduleStep> Steps)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static Schedule Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"{path}: schedule file not found");
        try
        {
            return JsonSerializer.Deserialize<Schedule>(File.ReadAllText(path), Json) ?? throw new SpecException($"{path}: empty schedule file");
        }
        catch (JsonException ex)
        {
            throw new SpecException($"{path}: not a schedule file ({ex.Message.Split(" Path:")[0]})");
        }
    }
}
