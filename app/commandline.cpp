#include "commandline.h"

#include "auditlog.h"
#include "lockmanager.h"
#include "lockremover.h"
#include "snapshotjson.h"
#include "storediscovery.h"
#include "storescanner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope {

namespace {

// The context of the command line's messages for translators. Verdict, action
// and outcome names, JSON and the output of hold are read by programs and stay
// as they are.
struct CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(lockscope::CommandLine)
};

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

const char kUsage[] = QT_TRANSLATE_NOOP(
    "lockscope::CommandLine",
    "Usage: lockscope [--demo] [PATH...]            open the window\n"
    "       lockscope list [--json] [-v|--verbose] [--fail-on-stale] [PATH...]\n"
    "       lockscope clean [-n|--dry-run] [--json] [PATH...]\n"
    "       lockscope remove [--force] [--json] LOCK_PATH\n"
    "       lockscope hold CHATS_DIR SESSION_ID\n"
    "       lockscope restore AUDIT_ID\n"
    "       lockscope audit [--json]\n"
    "       lockscope --help | --version\n"
    "\n"
    "Inspects llxprt-code's session locks and removes stale ones safely.\n"
    "PATH may be an llxprt log folder, its tmp/ folder, a project folder or a chats\n"
    "folder; without PATH, the folders llxprt itself uses are scanned.\n"
    "\n"
    "Exit codes: 0 ok, 1 a removal failed, 2 usage or I/O error (or no display\n"
    "            for the window), 3 list --fail-on-stale found a stale lock,\n"
    "            130 clean was interrupted between two files.\n");

// The signals that ask lockscope to stop: held while a removal is under way.
sigset_t stopSignalSet()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// One and many are marked with QT_TRANSLATE_NOOP; "%1 file" / "%1 files".
QString counted(qsizetype n, const char *one, const char *many)
{
    return CommandLine::tr(n == 1 ? one : many).arg(n);
}

// A named folder that holds nothing llxprt-shaped: say what lockscope looks
// for instead of a bare "no lock files".
void hintAboutEmptyRoots(const StoreSnapshot &snap)
{
    for (int i = 0; i < snap.roots.size(); ++i) {
        const RootEntry &root = snap.roots.at(i);
        if (!root.exists)
            continue;
        const bool hasProject =
            std::any_of(snap.projects.cbegin(), snap.projects.cend(),
                        [i](const ProjectEntry &p) { return p.rootIndex == i; });
        if (!hasProject)
            err() << "lockscope: "
                  << CommandLine::tr("%1: no llxprt store here (looked for a tmp/ folder, 64-hex"
                                     " project folders with a chats/ folder, or a folder named"
                                     " chats; symlinked ones are not followed)")
                         .arg(root.path)
                  << "\n";
    }
    err().flush();
}

int usageError(const QString &message)
{
    err() << "lockscope: " << message << "\n" << CommandLine::tr("Try 'lockscope --help'.") << "\n";
    err().flush();
    return ExitUsage;
}

// The positional arguments as argv gave them. Options take no values, so the
// positionals are the arguments after the subcommand that are not options.
QList<QByteArray> rawPositionals(const QList<QByteArray> &raw)
{
    QList<QByteArray> result;
    for (int i = 2; i < raw.size(); ++i) {
        if (!raw.at(i).startsWith('-'))
            result.append(raw.at(i));
    }
    return result;
}

QVector<ScanTarget> targetsFrom(const QList<QByteArray> &rawPaths)
{
    QVector<ScanTarget> targets;
    if (rawPaths.isEmpty())
        return discoverRoots(QProcessEnvironment::systemEnvironment(), true);
    for (const QByteArray &raw : rawPaths) {
        const QString path = QFile::decodeName(raw);
        // llxprt's janitor never visits the 0.9.x root; say so when it is named.
        const bool legacy = QDir::cleanPath(path).endsWith(QLatin1String("/.llxprt")) ||
                            QDir::cleanPath(path).endsWith(QLatin1String("/.llxprt/tmp"));
        ScanTarget target{path, QStringLiteral("command line"), legacy};
        target.rawPath = raw;
        targets.append(target);
    }
    return targets;
}

// Roots named on the command line must exist; discovered ones may not.
bool reportRootErrors(const StoreSnapshot &snapshot, bool explicitPaths)
{
    bool failed = false;
    for (const RootEntry &root : snapshot.roots) {
        if (!root.error.isEmpty() && explicitPaths) {
            err() << "lockscope: " << root.path << ": " << root.error << "\n";
            failed = true;
        }
    }
    for (const ScanProblem &problem : snapshot.problems)
        err() << "lockscope: " << problem.path << ": " << problem.message << "\n";
    err().flush();
    return failed;
}

QString shortAge(const std::optional<qint64> &ms)
{
    if (!ms)
        return QStringLiteral("-");
    // A timestamp ahead of the clock (flag clock-skew) reads as "in ...".
    return *ms < 0 ? QStringLiteral("in %1").arg(humanDuration(-*ms)) : humanDuration(*ms);
}

QString verdictLabel(const Judgement &j)
{
    const QString cause = causeName(j.cause);
    return cause.isEmpty() ? verdictName(j.verdict)
                           : verdictName(j.verdict) + QLatin1Char('/') + cause;
}

void printTable(const QVector<QStringList> &rows)
{
    QVector<int> widths;
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = qMax(widths[i], int(row.at(i).size()));
        }
    }
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 2) : row.at(i);
        out() << line << "\n";
    }
}

QString projectLabel(const StoreSnapshot &snap, int index)
{
    if (index < 0)
        return CommandLine::tr("(root)");
    return snap.projects.at(index).hash.left(8);
}

int commandList(const QStringList &arguments, const QList<QByteArray> &raw)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
    parser.addOption(
        {{QStringLiteral("v"), QStringLiteral("verbose")}, QStringLiteral("reasons and sessions")});
    parser.addOption({QStringLiteral("fail-on-stale"), QStringLiteral("exit 3 when stale")});
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("store"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QList<QByteArray> paths = rawPositionals(raw);

    StoreScanner scanner;
    const StoreSnapshot snap = scanner.scan(targetsFrom(paths));
    const bool rootFailed = reportRootErrors(snap, !paths.isEmpty());
    const bool anyStale =
        std::any_of(snap.locks.cbegin(), snap.locks.cend(),
                    [](const LockEntry &l) { return l.judgement.verdict == Verdict::Stale; });

    if (parser.isSet(QStringLiteral("json"))) {
        out() << QJsonDocument(snapshotToJson(snap, SystemClock::instance().bootNowMs()))
                     .toJson(QJsonDocument::Indented);
    } else if (std::none_of(snap.roots.cbegin(), snap.roots.cend(),
                            [](const RootEntry &r) { return r.exists; })) {
        out() << CommandLine::tr("No llxprt session store found. Looked in:") << "\n";
        for (const RootEntry &r : snap.roots)
            out() << "  " << r.path << "  (" << r.source << ")\n";
    } else {
        if (!paths.isEmpty())
            hintAboutEmptyRoots(snap);
        QVector<QStringList> rows;
        rows.append({CommandLine::tr("VERDICT"), CommandLine::tr("ACTION"), CommandLine::tr("KIND"),
                     CommandLine::tr("PID"), CommandLine::tr("AGE"), CommandLine::tr("FLAGS"),
                     CommandLine::tr("PROJECT"), CommandLine::tr("FILE")});
        for (const LockEntry &l : snap.locks) {
            rows.append({verdictLabel(l.judgement), actionName(l.judgement.action), l.kindName(),
                         l.payload.pid ? QString::number(*l.payload.pid) : QStringLiteral("-"),
                         shortAge(l.judgement.lockAgeMs),
                         l.judgement.flagNames().join(QLatin1Char(',')),
                         projectLabel(snap, l.projectIndex), displayPath(l.fileName)});
        }
        if (snap.locks.isEmpty())
            out() << CommandLine::tr("No lock files.") << "\n";
        else
            printTable(rows);

        if (parser.isSet(QStringLiteral("verbose"))) {
            for (const LockEntry &l : snap.locks) {
                out() << "\n"
                      << l.path() << "\n  " << verdictLabel(l.judgement) << ": "
                      << l.judgement.reason << "\n";
                if (!l.judgement.blockedReason.isEmpty())
                    out() << "  " << CommandLine::tr("blocked: %1").arg(l.judgement.blockedReason)
                          << "\n";
                if (!l.judgement.otherUserReason.isEmpty())
                    out() << "  "
                          << CommandLine::tr("other user: %1").arg(l.judgement.otherUserReason)
                          << "\n";
                if (l.kind == EntryKind::Lock || l.kind == EntryKind::LegacyLock)
                    out() << "  "
                          << CommandLine::tr("llxprt: %1; next llxprt start %2")
                                 .arg(l.upstream.inUse ? CommandLine::tr("in use")
                                                       : CommandLine::tr("not in use"),
                                      l.upstream.janitorRemoves ? CommandLine::tr("removes it")
                                                                : CommandLine::tr("leaves it"))
                          << "\n";
            }
        }

        int idle = 0;
        for (const SessionEntry &s : snap.sessions)
            idle += s.lockIndex < 0 ? 1 : 0;
        QMap<QString, int> counts;
        for (const LockEntry &l : snap.locks)
            ++counts[verdictName(l.judgement.verdict)];
        QStringList parts;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        const int existing = int(std::count_if(snap.roots.cbegin(), snap.roots.cend(),
                                               [](const RootEntry &r) { return r.exists; }));
        out() << "\n"
              << CommandLine::tr("%1%2; %3, %4 idle; %5 in %6.")
                     .arg(counted(snap.locks.size(),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 file"),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 files")),
                          parts.isEmpty()
                              ? QString()
                              : QStringLiteral(" (%1)").arg(parts.join(QStringLiteral(", "))),
                          counted(snap.sessions.size(),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 session"),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 sessions")),
                          QString::number(idle),
                          counted(snap.projects.size(),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 project"),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 projects")),
                          counted(existing, QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 root"),
                                  QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 roots")))
              << "\n";
    }
    out().flush();
    if (rootFailed)
        return ExitUsage;
    return parser.isSet(QStringLiteral("fail-on-stale")) && anyStale ? ExitStaleFound : ExitOk;
}

QJsonObject resultToJson(const RemovalResult &r)
{
    return QJsonObject{
        {QLatin1String("path"), displayPath(r.path)},
        {QLatin1String("outcome"), removalOutcomeName(r.outcome)},
        {QLatin1String("message"), r.message},
        {QLatin1String("auditId"), r.auditId.isEmpty() ? QJsonValue() : QJsonValue(r.auditId)},
        {QLatin1String("verdict"), verdictName(r.judgement.verdict)},
        {QLatin1String("cause"), causeName(r.judgement.cause)}};
}

int commandClean(const QStringList &arguments, const QList<QByteArray> &raw)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
    parser.addOption(
        {{QStringLiteral("n"), QStringLiteral("dry-run")}, QStringLiteral("only show")});
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("store"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QList<QByteArray> paths = rawPositionals(raw);
    const bool json = parser.isSet(QStringLiteral("json"));

    StoreScanner scanner;
    const StoreSnapshot snap = scanner.scan(targetsFrom(paths));
    if (reportRootErrors(snap, !paths.isEmpty()))
        return ExitUsage;

    if (parser.isSet(QStringLiteral("dry-run"))) {
        QJsonArray planned;
        for (const LockEntry &l : snap.locks) {
            if (l.judgement.action != Action::Remove)
                continue;
            planned.append(QJsonObject{{QLatin1String("path"), l.path()},
                                       {QLatin1String("verdict"), verdictLabel(l.judgement)},
                                       {QLatin1String("reason"), l.judgement.reason}});
            if (!json)
                out() << CommandLine::tr("would remove") << "  " << l.path() << "\n    "
                      << verdictLabel(l.judgement) << ": " << l.judgement.reason << "\n";
        }
        if (json)
            out() << QJsonDocument(QJsonObject{{QLatin1String("dryRun"), true},
                                               {QLatin1String("planned"), planned}})
                         .toJson(QJsonDocument::Indented);
        else
            out() << counted(
                         planned.size(),
                         QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 file would be removed."),
                         QT_TRANSLATE_NOOP("lockscope::CommandLine", "%1 files would be removed."))
                  << "\n";
        out().flush();
        return ExitOk;
    }

    AuditLog audit;
    LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    // A removal is never cut in half (which would leave its guard behind): the
    // stop signals wait until the file in hand is done, then end the clean-up.
    const sigset_t stopSignals = stopSignalSet();
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    bool interrupted = false;
    const QVector<RemovalResult> results = manager.cleanupOrphanedLocks(snap, [&] {
        sigset_t pending;
        sigpending(&pending);
        interrupted = sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
                      sigismember(&pending, SIGHUP);
        return !interrupted;
    });
    if (interrupted)
        err() << "lockscope: "
              << CommandLine::tr("interrupted; the clean-up stopped between two files.") << "\n";
    QMap<QString, int> counts;
    QJsonArray array;
    int failed = 0;
    for (const RemovalResult &r : results) {
        ++counts[removalOutcomeName(r.outcome)];
        failed += r.failed() ? 1 : 0;
        if (json)
            array.append(resultToJson(r));
        else
            out() << removalOutcomeName(r.outcome).leftJustified(18) << displayPath(r.path)
                  << "\n    " << r.message << "\n";
    }
    if (json) {
        out() << QJsonDocument(QJsonObject{{QLatin1String("results"), array},
                                           {QLatin1String("auditLog"), audit.path()}})
                     .toJson(QJsonDocument::Indented);
    } else {
        QStringList parts;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        if (results.isEmpty())
            out() << CommandLine::tr("Nothing to clean. Audit log: %1").arg(audit.path()) << "\n";
        else
            out() << CommandLine::tr("%1; %2 failed. Audit log: %3")
                         .arg(parts.join(QStringLiteral(", ")), QString::number(failed),
                              audit.path())
                  << "\n";
    }
    out().flush();
    err().flush();
    if (interrupted)
        return 130;
    return failed > 0 ? ExitRemovalFailed : ExitOk;
}

int commandRemove(const QStringList &arguments, const QList<QByteArray> &raw)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
    parser.addOption({QStringLiteral("force"), QStringLiteral("allow force actions")});
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("lock"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QList<QByteArray> paths = rawPositionals(raw);
    if (paths.size() != 1)
        return usageError(CommandLine::tr("remove takes exactly one path"));

    AuditLog audit;
    LockRemover remover(audit);
    RemovalRequest request = RemovalRequest::forPath(paths.first());
    request.force = parser.isSet(QStringLiteral("force"));
    // Never cut the protocol in half: a stop signal takes effect after it.
    const sigset_t stopSignals = stopSignalSet();
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stopSignals, &previous);
    const RemovalResult r = remover.remove(request);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (parser.isSet(QStringLiteral("json")))
        out() << QJsonDocument(resultToJson(r)).toJson(QJsonDocument::Indented);
    else
        out() << removalOutcomeName(r.outcome) << ": " << displayPath(r.path) << "\n  " << r.message
              << (r.auditId.isEmpty()
                      ? QString()
                      : QStringLiteral("\n  ") + CommandLine::tr("audit id: %1").arg(r.auditId))
              << "\n";
    out().flush();
    return r.failed() ? ExitRemovalFailed : ExitOk;
}

int commandHold(const QStringList &arguments, const QList<QByteArray> &raw)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("chats"), QStringLiteral("dir"));
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("session id"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QStringList args = parser.positionalArguments();
    if (args.size() != 2)
        return usageError(CommandLine::tr("hold takes CHATS_DIR and SESSION_ID"));
    const QByteArray chatsDir = rawPositionals(raw).first();
    // llxprt creates a missing chats folder inside its project folder; a
    // mistyped path must not make lockscope create folders anywhere else.
    QByteArray parent = chatsDir;
    while (parent.size() > 1 && parent.endsWith('/'))
        parent.chop(1);
    parent = parent.contains('/') ? parent.left(parent.lastIndexOf('/')) : QByteArray(".");
    struct stat st
    {
    };
    if (::stat(parent.isEmpty() ? "/" : parent.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return usageError(CommandLine::tr("%1: no such folder (hold creates at most the last"
                                          " folder of CHATS_DIR)")
                              .arg(displayPath(parent)));

    // Block the signals first so that one arriving early is not lost; sigwait
    // then takes it synchronously and the lock is released on the way out.
    const sigset_t stopSignals = stopSignalSet();
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    AuditLog audit;
    LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    AcquireResult acquired = manager.acquire(chatsDir, args.at(1));
    // Another process in the middle of a transition lets go within moments.
    for (int attempt = 0; attempt < 50 && acquired.outcome == AcquireOutcome::InTransition;
         ++attempt) {
        ::usleep(20'000);
        acquired = manager.acquire(chatsDir, args.at(1));
    }
    if (!acquired.handle) {
        err() << "lockscope: " << acquireOutcomeName(acquired.outcome) << ": " << acquired.message
              << "\n";
        err().flush();
        return acquired.outcome == AcquireOutcome::InvalidId ? ExitUsage : ExitRemovalFailed;
    }
    out() << acquireOutcomeName(acquired.outcome) << " " << displayPath(acquired.handle->path())
          << " pid " << ::getpid() << "\n";
    out().flush();

    int received = 0;
    sigwait(&stopSignals, &received);
    const ReleaseOutcome released = acquired.handle->release();
    out() << releaseOutcomeName(released) << " " << displayPath(acquired.handle->path()) << "\n";
    out().flush();
    return released == ReleaseOutcome::Released ? ExitOk : ExitRemovalFailed;
}

int commandRestore(const QStringList &arguments, const QList<QByteArray> &)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("audit id"));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    const QStringList args = parser.positionalArguments();
    if (args.size() != 1)
        return usageError(CommandLine::tr("restore takes one AUDIT_ID"));
    AuditLog audit;
    LockRemover remover(audit);
    const RestoreResult r = remover.restore(args.first());
    out() << restoreOutcomeName(r.outcome) << ": " << r.message << "\n";
    out().flush();
    if (r.outcome == RestoreResult::NotFound)
        return ExitUsage;
    return r.outcome == RestoreResult::Restored ? ExitOk : ExitRemovalFailed;
}

int commandAudit(const QStringList &arguments, const QList<QByteArray> &)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    AuditLog audit;
    QString error;
    const QVector<AuditRecord> records = audit.records(&error);
    if (!error.isEmpty()) {
        err() << "lockscope: " << error << "\n";
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const AuditRecord &r : records)
            array.append(QJsonObject{{QLatin1String("id"), r.id},
                                     {QLatin1String("time"), r.time},
                                     {QLatin1String("user"), r.user},
                                     {QLatin1String("path"), displayPath(r.rawPath())},
                                     {QLatin1String("verdict"), r.verdict},
                                     {QLatin1String("cause"), r.cause},
                                     {QLatin1String("outcome"), r.outcome}});
        out() << QJsonDocument(QJsonObject{{QLatin1String("auditLog"), audit.path()},
                                           {QLatin1String("removals"), array}})
                     .toJson(QJsonDocument::Indented);
    } else {
        out() << CommandLine::tr("Audit log: %1").arg(audit.path()) << "\n";
        for (const AuditRecord &r : records)
            out() << r.time << "  " << r.id << "  " << r.outcome.leftJustified(16) << " "
                  << displayPath(r.rawPath()) << "\n";
    }
    out().flush();
    return ExitOk;
}

} // namespace

bool isCommandLineInvocation(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return false;
    // A word is a subcommand (an unknown one is reported as such), unless it
    // names a folder: `lockscope PATH...` opens the window on it. Options such
    // as --demo or Qt's -platform belong to the window.
    const QString first = arguments.at(1);
    if (first == QLatin1String("--help") || first == QLatin1String("-h") ||
        first == QLatin1String("--version"))
        return true;
    if (first.startsWith(QLatin1Char('-')))
        return false;
    static const QStringList commands{QStringLiteral("list"),    QStringLiteral("clean"),
                                      QStringLiteral("remove"),  QStringLiteral("hold"),
                                      QStringLiteral("restore"), QStringLiteral("audit"),
                                      QStringLiteral("help")};
    if (commands.contains(first))
        return true;
    return !first.contains(QLatin1Char('/')) && !QFileInfo(first).isDir();
}

int runCommandLine(const QList<QByteArray> &raw)
{
    QStringList arguments;
    for (const QByteArray &argument : raw)
        arguments << QFile::decodeName(argument);
    const QString command = arguments.value(1);
    const QStringList rest = QStringList{arguments.first()} + arguments.mid(2);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help") || rest.contains(QLatin1String("--help"))) {
        out() << CommandLine::tr(kUsage);
        out().flush();
        return ExitOk;
    }
    if (command == QLatin1String("--version")) {
        out() << "lockscope " << LOCKSCOPE_VERSION << "\n";
        out().flush();
        return ExitOk;
    }
    if (command == QLatin1String("list"))
        return commandList(rest, raw);
    if (command == QLatin1String("clean"))
        return commandClean(rest, raw);
    if (command == QLatin1String("remove"))
        return commandRemove(rest, raw);
    if (command == QLatin1String("hold"))
        return commandHold(rest, raw);
    if (command == QLatin1String("restore"))
        return commandRestore(rest, raw);
    if (command == QLatin1String("audit"))
        return commandAudit(rest, raw);
    return usageError(CommandLine::tr("unknown command \"%1\"").arg(command));
}

} // namespace lockscope
