#include "storediscovery.h"

#include <QDir>
#include <QFileInfo>

namespace lockscope {

namespace {

// An override counts only when it is a non-blank absolute path, as upstream says.
bool usableOverride(const QString &value)
{
    return !value.trimmed().isEmpty() && QDir::isAbsolutePath(value);
}

QString homeDir(const QProcessEnvironment &env)
{
    const QString home = env.value(QStringLiteral("HOME"));
    return home.isEmpty() ? QDir::homePath() : home;
}

} // namespace

QVector<ScanTarget> discoverRoots(const QProcessEnvironment &env, bool includeMissing)
{
    QVector<ScanTarget> candidates;
    const QString logHome = env.value(QStringLiteral("LLXPRT_LOG_HOME"));
    if (usableOverride(logHome))
        candidates.append({logHome + QStringLiteral("/tmp"), QStringLiteral("LLXPRT_LOG_HOME")});
    const QString configHome = env.value(QStringLiteral("LLXPRT_CONFIG_HOME"));
    if (usableOverride(configHome))
        candidates.append(
            {configHome + QStringLiteral("/tmp"), QStringLiteral("LLXPRT_CONFIG_HOME")});

    const QString home = homeDir(env);
    const QString xdgState = env.value(QStringLiteral("XDG_STATE_HOME"));
    if (usableOverride(xdgState))
        candidates.append({xdgState + QStringLiteral("/llxprt-code/tmp"),
                           QStringLiteral("default ($XDG_STATE_HOME)")});
    else
        candidates.append(
            {home + QStringLiteral("/.local/state/llxprt-code/tmp"), QStringLiteral("default")});
    candidates.append(
        {home + QStringLiteral("/.llxprt/tmp"), QStringLiteral("legacy ~/.llxprt"), true});

    QVector<ScanTarget> roots;
    QStringList seen;
    for (ScanTarget target : candidates) {
        target.path = QDir::cleanPath(target.path);
        if (seen.contains(target.path))
            continue;
        seen << target.path;
        if (includeMissing || QFileInfo(target.path).isDir())
            roots.append(target);
    }
    return roots;
}

} // namespace lockscope
