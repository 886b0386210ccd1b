#!/usr/bin/env bash
# Shows the toolkit is installable the .NET way, as a user outside this repository would install it: packs the
# libraries, the verify tool and the templates into a local folder feed, creates a protocol test project from the
# template, runs its tests against the packed packages, installs the tool and runs the project's declared checks.
# Usage: templates/check-template.sh [work-folder]   (default: a fresh temporary folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
feed="$work/packages"
export DOTNET_CLI_HOME="$work/home" NUGET_PACKAGES="$work/nuget-cache" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p "$feed" "$DOTNET_CLI_HOME"
# The served NuGet sources of this machine, for xunit and the test SDK (the user's own, on theirs).
[ -f "$HOME/.nuget/NuGet/NuGet.Config" ] && mkdir -p "$DOTNET_CLI_HOME/.nuget/NuGet" && cp "$HOME/.nuget/NuGet/NuGet.Config" "$DOTNET_CLI_HOME/.nuget/NuGet/"

# Packed from a copy of the sources, so that a test run of the repository (Debug, in place) is not disturbed.
src="$work/src"
mkdir -p "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files deleted in the working tree are still listed by git; copy only what exists.
  (cd "$repo" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
    | tar --null -T - -cf -) | tar -xf - -C "$src"
else
  (cd "$repo" && tar --exclude=bin --exclude=obj --exclude=artifacts -cf - .) | tar -xf - -C "$src"
fi

echo "== pack"
dotnet pack "$src/Verification.sln" -c Release -o "$feed" -v quiet -p:PackageOutputPath="$feed" >/dev/null
ls "$feed"

echo "== dotnet new verification-protocol"
dotnet new install "$feed/Verification.Templates.0.1.0.nupkg" >/dev/null
cd "$work" && dotnet new verification-protocol -n MyProtocol --feed "$feed" >/dev/null
find MyProtocol -type f | sort

echo "== dotnet test (against the packed packages)"
(cd MyProtocol && dotnet test 2>&1 | grep -E "Passed!|Failed!|error")

echo "== dotnet tool install Verification.Tool; verify check --assembly"
dotnet tool install Verification.Tool --tool-path "$work/tools" --add-source "$feed" --version 0.1.0 >/dev/null
"$work/tools/verify" check --assembly MyProtocol/bin/Debug/net10.0/MyProtocol.dll
