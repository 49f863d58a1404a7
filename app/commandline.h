#pragma once

#include <QByteArray>
#include <QList>
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

// Runs a subcommand. The arguments are argv's bytes, program name first: paths
// need not be valid UTF-8 and are used exactly as given.
int runCommandLine(const QList<QByteArray> &arguments);

} // namespace lockscope
