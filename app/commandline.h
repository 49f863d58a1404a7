#pragma once

#include <QStringList>

namespace lockscope {

// Exit codes of the command line, documented in docs/cli.md.
enum ExitCode
{
    ExitOk = 0,
    ExitRemovalFailed = 1,
    ExitUsage = 2,
    ExitStaleFound = 3,
};

// True when the arguments name a subcommand (or --help/--version) rather than
// asking for the GUI.
bool isCommandLineInvocation(const QStringList &arguments);

// Runs a subcommand; arguments include the program name.
int runCommandLine(const QStringList &arguments);

} // namespace lockscope
