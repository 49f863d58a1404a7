#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QVector>

namespace lockscope {

// A place to scan and where it came from ("LLXPRT_LOG_HOME", "default",
// "legacy ~/.llxprt", "command line", ...). The path may be a log directory,
// its tmp/ folder, a project folder or a single chats folder.
struct ScanTarget
{
    ScanTarget() = default;
    ScanTarget(QString path, QString source, bool legacy = false, QByteArray rawPath = {})
        : path(std::move(path))
        , source(std::move(source))
        , legacy(legacy)
        , rawPath(std::move(rawPath))
    {
    }

    QString path;
    QString source;
    bool legacy = false; // the 0.9.x root, which llxprt's janitor never visits
    // The path as the system gave it, when that is not valid UTF-8 (a
    // command-line argument, an environment variable); used instead of path.
    QByteArray rawPath;

    QByteArray bytes() const;
};

// The user's home: $HOME, else the password database's entry.
QString homeDirectory(const QProcessEnvironment &env);

// The roots llxprt itself would use, in its order, plus the legacy root. Only
// roots that exist are returned unless includeMissing is set.
QVector<ScanTarget> discoverRoots(const QProcessEnvironment &env, bool includeMissing = false);

} // namespace lockscope
