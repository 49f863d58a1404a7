#include "storediscovery.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <pwd.h>
#include <unistd.h>

namespace lockscope {

namespace {

// An override counts only when it is a non-blank absolute path, as upstream says.
bool usableOverride(const QString &value)
{
    return !value.trimmed().isEmpty() && QDir::isAbsolutePath(value);
}

} // namespace

QString homeDirectory(const QProcessEnvironment &env)
{
    const QString home = env.value(QStringLiteral("HOME"));
    if (!home.isEmpty())
        return home;
    if (const passwd *pw = ::getpwuid(::geteuid()))
        return QFile::decodeName(pw->pw_dir);
    return QDir::rootPath();
}

QByteArray ScanTarget::bytes() const
{
    return rawPath.isEmpty() ? QFile::encodeName(path) : rawPath;
}

QVector<ScanTarget> discoverRoots(const QProcessEnvironment &env, bool includeMissing)
{
    QVector<ScanTarget> candidates;
    // Overrides are taken as bytes: a folder name need not be valid UTF-8.
    for (const char *name : {"LLXPRT_LOG_HOME", "LLXPRT_CONFIG_HOME"}) {
        const QString value = env.value(QString::fromLatin1(name));
        if (!usableOverride(value))
            continue;
        ScanTarget target{value + QStringLiteral("/tmp"), QString::fromLatin1(name)};
        const QByteArray raw = qgetenv(name);
        if (env.value(QString::fromLatin1(name)) == QFile::decodeName(raw) &&
            QFile::encodeName(QFile::decodeName(raw)) != raw)
            target.rawPath = raw + "/tmp";
        candidates.append(target);
    }

    const QString home = homeDirectory(env);
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
