#include "guimain.h"

#include "demostore.h"
#include "mainwindow.h"
#include "storediscovery.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QProcessEnvironment>
#include <QSettings>

#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

namespace lockscope {

namespace {

int g_signalPipe[2] = {-1, -1};

void onStopSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

// SIGINT/SIGTERM quit the event loop normally, so that a demo store and its
// holder are removed even when the window is stopped from a terminal.
void quitOnStopSignals(QApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [] {
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(g_signalPipe[0], &byte, 1);
        QApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGHUP, &action, nullptr);
}

QIcon applicationIcon()
{
    QIcon icon;
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/%1x%1/apps/" LOCKSCOPE_APP_ID ".png").arg(size));
    return icon;
}

} // namespace

int runGui(int argc, char *argv[])
{
    // Over SSH there is no display: say what to do instead of letting Qt abort.
    bool platformChosen = qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
    for (int i = 1; i < argc; ++i)
        platformChosen |= qstrcmp(argv[i], "-platform") == 0;
    if (!platformChosen && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        std::fputs(qPrintable(QCoreApplication::translate(
                       "lockscope",
                       "lockscope: there is no display to open the window on (DISPLAY and "
                       "WAYLAND_DISPLAY are not set).\nOn this terminal, use the command line: "
                       "\"lockscope list -v\" shows every lock and its verdict, \"lockscope "
                       "clean --dry-run\" what a clean-up would remove; \"lockscope --help\" "
                       "has the rest.\n")),
                   stderr);
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("lockscope"));
    QApplication::setOrganizationName(QStringLiteral("lockscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("lockscope"));
    QApplication::setApplicationVersion(QStringLiteral(LOCKSCOPE_VERSION));
    // Ties the window to the launcher entry (Wayland app id, taskbar grouping).
    QGuiApplication::setDesktopFileName(QStringLiteral(LOCKSCOPE_APP_ID));
    QApplication::setWindowIcon(applicationIcon());
    quitOnStopSignals(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "lockscope", "Inspect and safely recover llxprt-code session locks."));
    parser.addOption({QStringLiteral("demo"),
                      QApplication::translate("lockscope", "Open a temporary demo store.")});
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QApplication::translate("lockscope", "Folders to show."));
    parser.process(app);

    MainWindow::Options options;
    for (const QString &path : parser.positionalArguments())
        options.targets.append({path, QApplication::translate("lockscope", "command line"), false});
    if (options.targets.isEmpty())
        options.targets = discoverRoots(QProcessEnvironment::systemEnvironment());

    const bool noStore = options.targets.isEmpty() &&
                         QSettings().value(QStringLiteral("addedFolders")).toStringList().isEmpty();
    std::unique_ptr<DemoStore> demo;
    if (parser.isSet(QStringLiteral("demo")) || noStore) {
        demo = std::make_unique<DemoStore>(QApplication::applicationFilePath());
        QString error;
        if (!demo->create(&error)) {
            QMessageBox::critical(
                nullptr, QApplication::translate("lockscope", "lockscope"),
                QApplication::translate("lockscope", "The demo store could not be built: %1")
                    .arg(error));
            return 2;
        }
        options.targets = demo->targets();
        options.demo = true;
        // The demo's removals are audited inside the demo folder, not in the
        // person's own audit log, and go with it.
        options.auditLogPath = demo->path() + QStringLiteral("/audit.jsonl");
    }

    auto window = std::make_unique<MainWindow>(options);
    window->show();
    const int status = app.exec();
    // The window goes before the demo store, whose holder it watches.
    window.reset();
    demo.reset();
    return status;
}

} // namespace lockscope
